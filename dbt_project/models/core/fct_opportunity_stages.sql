-- One row per stage an opportunity entered (the funnel's event table): when it entered,
-- when it left (the next stage's entry) and the days spent in it. Incremental by entry
-- day (macros/incremental/): a run rebuilds the days on which any stage of an opportunity
-- with a stage entered or delivered in the window lies (a new stage changes the exit of
-- the previous one).
{{ config(
    materialized='incremental',
    unique_key='opportunity_stage_key',
    meta={'business_date': 'entered_date'},
    **daily_fact_config('entered_month')
) }}
{%- set windowed = incremental_window() is not none %}

with

all_stage_rows as (
    select * from {{ ref('stg_crm__opportunities') }}
),
{%- if windowed %}

touched_opportunities as (
    select distinct opportunity_id
    from all_stage_rows
    where
        {{ in_incremental_window('stage_changed_at') }}
        or {{ in_incremental_window('_partition_date') }}
),

changed_days as (
    select distinct cast(stage_changed_at as date) as business_date
    from all_stage_rows
    where opportunity_id in (select opportunity_id from touched_opportunities)
),

-- opportunities with a stage on a changed day: the sequence needs all their stages
changed_opportunities as (
    select distinct opportunity_id
    from all_stage_rows
    where {{ in_batch_period('stage_changed_at') }}
),
{%- endif %}

opportunity_stage_rows as (
    select * from all_stage_rows
    {%- if windowed %}
    where opportunity_id in (select opportunity_id from changed_opportunities)
    {%- endif %}
),

stages as (
    select * from {{ ref('opportunity_stages') }}
),

sequenced as (
    select
        opportunity_stage_rows.opportunity_id,
        opportunity_stage_rows.account_id,
        opportunity_stage_rows.rep_id,
        opportunity_stage_rows.stage_code,
        cast(stages.stage_order as {{ dbt.type_int() }}) as stage_order,
        stages.is_closed,
        stages.is_won,
        opportunity_stage_rows.stage_changed_at as entered_at,
        opportunity_stage_rows.amount_cny,
        opportunity_stage_rows.expected_close_date,
        opportunity_stage_rows.lost_reason,
        lead(opportunity_stage_rows.stage_changed_at) over (
            partition by opportunity_stage_rows.opportunity_id
            order by opportunity_stage_rows.stage_changed_at, stages.stage_order
        ) as exited_at,
        lead(opportunity_stage_rows.stage_code) over (
            partition by opportunity_stage_rows.opportunity_id
            order by opportunity_stage_rows.stage_changed_at, stages.stage_order
        ) as next_stage_code,
        row_number() over (
            partition by opportunity_stage_rows.opportunity_id
            order by opportunity_stage_rows.stage_changed_at, stages.stage_order
        ) as stage_sequence
    from opportunity_stage_rows
    inner join stages
        on opportunity_stage_rows.stage_code = stages.stage_code
),

final as (
    select
        {{ hash_key(['opportunity_id', 'stage_code', 'entered_at']) }} as opportunity_stage_key,
        opportunity_id,
        coalesce(account_id, 'UNKNOWN') as account_id,
        coalesce(rep_id, 'UNKNOWN') as rep_id,
        stage_code,
        stage_order,
        stage_sequence,
        is_closed,
        is_won,
        entered_at,
        cast(entered_at as date) as entered_date,
        exited_at,
        {{ dbt.datediff('entered_at', 'exited_at', 'day') }} as days_in_stage,
        next_stage_code,
        amount_cny,
        expected_close_date,
        lost_reason
    from sequenced
    {%- if windowed %}
    where {{ in_batch_period('entered_at') }}
    {%- endif %}
)

select
    final.*,
    {{ month_of('final.entered_date') }} as entered_month
from final
