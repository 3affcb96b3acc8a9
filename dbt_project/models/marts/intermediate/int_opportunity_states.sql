-- One row per opportunity with a stage entered on or before the as-of date: its state as it
-- stood at the end of that day (later stage changes ignored).

with

opportunity_stages as (

    select * from {{ ref('fct_opportunity_stages') }}

),

opportunities as (

    select * from {{ ref('fct_opportunities') }}

),

as_of as (

    select as_of_date from {{ ref('int_as_of_date') }}

),

stages_to_date as (

    select
        opportunity_stages.opportunity_id,
        opportunity_stages.account_id,
        opportunity_stages.rep_id,
        opportunity_stages.stage_code,
        opportunity_stages.stage_order,
        opportunity_stages.entered_at,
        cast(opportunity_stages.entered_at as date) as entered_date,
        opportunity_stages.amount_cny,
        row_number() over (
            partition by opportunity_stages.opportunity_id
            order by
                opportunity_stages.entered_at desc,
                opportunity_stages.stage_order desc,
                opportunity_stages.stage_code asc
        ) as latest_rank
    from opportunity_stages
    cross join as_of
    where cast(opportunity_stages.entered_at as date) <= as_of.as_of_date

),

summarised as (

    select
        opportunity_id,
        min(entered_date) as first_stage_date,
        max(case when stage_code <> 'lost' then stage_order end) as furthest_stage_order,
        min(case when stage_code = 'won' then entered_date end) as won_date,
        min(case when stage_code = 'lost' then entered_date end) as lost_date
    from stages_to_date
    group by opportunity_id

),

latest as (

    select
        opportunity_id,
        account_id,
        rep_id,
        stage_code as current_stage_code,
        amount_cny
    from stages_to_date
    where latest_rank = 1

),

final as (

    select
        summarised.opportunity_id,
        coalesce(latest.account_id, opportunities.account_id, 'UNKNOWN') as account_id,
        coalesce(latest.rep_id, opportunities.rep_id, 'UNKNOWN') as rep_id,
        coalesce(opportunities.created_date, summarised.first_stage_date) as created_date,
        latest.current_stage_code,
        coalesce(summarised.furthest_stage_order, 0) as furthest_stage_order,
        summarised.won_date is not null as is_won,
        summarised.won_date is null and summarised.lost_date is not null as is_lost,
        summarised.won_date is not null or summarised.lost_date is not null as is_closed,
        coalesce(summarised.won_date, summarised.lost_date) as closed_date,
        {{ dbt.datediff(
            'coalesce(opportunities.created_date, summarised.first_stage_date)',
            'coalesce(summarised.won_date, summarised.lost_date)',
            'day'
        ) }} as cycle_days,
        coalesce(latest.amount_cny, opportunities.amount_cny) as amount_cny
    from summarised
    inner join latest
        on summarised.opportunity_id = latest.opportunity_id
    left join opportunities
        on summarised.opportunity_id = opportunities.opportunity_id

)

select * from final
