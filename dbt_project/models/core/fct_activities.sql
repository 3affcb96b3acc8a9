-- One row per sales activity: visits, calls, e-mails and events.
-- Incremental by activity day (macros/incremental/): a run rebuilds the days of the
-- window and the days of rows delivered in it.
{{ config(
    materialized='incremental',
    unique_key='activity_id',
    meta={'business_date': 'activity_date'},
    **daily_fact_config('activity_month')
) }}
{%- set windowed = incremental_window() is not none %}

with

all_activities as (
    select * from {{ ref('stg_crm__activities') }}
),
{%- if windowed %}

changed_days as (
    {{ touched_days('all_activities', 'activity_at') }}
),
{%- endif %}

activities as (
    select * from all_activities
    {%- if windowed %}
    where {{ in_batch_period('activity_at') }}
    {%- endif %}
),

final as (
    select
        activity_id,
        account_id,
        coalesce(rep_id, 'UNKNOWN') as rep_id,
        activity_type,
        activity_at,
        cast(activity_at as date) as activity_date,
        duration_minutes
    from activities
)

select
    final.*,
    {{ month_of('final.activity_date') }} as activity_month
from final
