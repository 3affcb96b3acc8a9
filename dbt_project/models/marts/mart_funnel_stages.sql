-- Opportunity funnel (seed 002): lead -> needs confirmed -> proposal -> negotiation -> won.
-- Grain: one row per forward stage (5 rows), for the cohort of opportunities created in the
-- window (window_start_date .. as_of_date), each at its state at the as-of date.
-- Reached = furthest forward stage >= the stage (skipped stages count as passed).

with

opportunity_states as (

    select * from {{ ref('int_opportunity_states') }}

),

opportunity_stages as (

    select * from {{ ref('fct_opportunity_stages') }}

),

stage_catalogue as (

    select * from {{ ref('opportunity_stages') }}
    where stage_code <> 'lost'

),

as_of as (

    select * from {{ ref('int_as_of_date') }}

),

cohort as (

    select opportunity_states.*
    from opportunity_states
    cross join as_of
    where
        opportunity_states.created_date >= as_of.window_start_date
        and opportunity_states.created_date <= as_of.as_of_date

),

stage_counts as (

    select
        stage_catalogue.stage_code,
        stage_catalogue.stage_order,
        sum(
            case when cohort.furthest_stage_order >= stage_catalogue.stage_order then 1 else 0 end
        ) as opportunities_reached,
        sum(
            case
                when stage_catalogue.stage_code = 'won' then null
                when cohort.furthest_stage_order > stage_catalogue.stage_order then 1
                else 0
            end
        ) as opportunities_advanced,
        sum(
            case
                when cohort.is_lost and cohort.furthest_stage_order = stage_catalogue.stage_order
                    then 1
                else 0
            end
        ) as opportunities_lost_here,
        sum(
            case
                when
                    not cohort.is_closed
                    and cohort.furthest_stage_order = stage_catalogue.stage_order
                    then 1
                else 0
            end
        ) as opportunities_open_here
    from stage_catalogue
    cross join cohort
    group by stage_catalogue.stage_code, stage_catalogue.stage_order

),

completed_stays as (

    select
        opportunity_stages.stage_code,
        cast(
            {{ dbt.datediff(
                'opportunity_stages.entered_at', 'opportunity_stages.exited_at', 'day'
            ) }}
            as {{ marts_type_double() }}
        ) as days_in_stage
    from opportunity_stages
    cross join as_of
    inner join cohort
        on opportunity_stages.opportunity_id = cohort.opportunity_id
    where
        opportunity_stages.exited_at is not null
        and cast(opportunity_stages.exited_at as date) <= as_of.as_of_date

),

stage_days as (

    select
        stage_code,
        count(*) as completed_stay_count,
        avg(days_in_stage) as avg_days_in_stage,
        {{ marts_median('days_in_stage') }} as median_days_in_stage
    from completed_stays
    group by stage_code

),

lead_counts as (

    -- an aggregate without group by: always one row, even for an empty cohort
    select max(case when stage_code = 'lead' then opportunities_reached end) as lead_count
    from stage_counts

),

final as (

    select
        as_of.as_of_date,
        as_of.window_start_date,
        stage_catalogue.stage_code,
        stage_catalogue.stage_name_zh,
        stage_catalogue.stage_name_en,
        {{ marts_int('stage_catalogue.stage_order') }} as stage_order,
        {{ marts_int('coalesce(stage_counts.opportunities_reached, 0)') }} as opportunities_reached,
        {{ marts_int('stage_counts.opportunities_advanced') }} as opportunities_advanced,
        {{ marts_int('coalesce(stage_counts.opportunities_lost_here, 0)') }}
            as opportunities_lost_here,
        {{ marts_int('coalesce(stage_counts.opportunities_open_here, 0)') }}
            as opportunities_open_here,
        {{ marts_rate(marts_safe_divide(
            'stage_counts.opportunities_advanced', 'stage_counts.opportunities_reached'
        )) }} as conversion_to_next_rate,
        {{ marts_rate(marts_safe_divide(
            'stage_counts.opportunities_reached', 'lead_counts.lead_count'
        )) }}
            as conversion_from_lead_rate,
        {{ marts_int('coalesce(stage_days.completed_stay_count, 0)') }} as completed_stay_count,
        {{ marts_avg('stage_days.avg_days_in_stage') }} as avg_days_in_stage,
        {{ marts_avg('stage_days.median_days_in_stage') }} as median_days_in_stage
    from stage_catalogue
    cross join as_of
    cross join lead_counts
    left join stage_counts
        on stage_catalogue.stage_code = stage_counts.stage_code
    left join stage_days
        on stage_catalogue.stage_code = stage_days.stage_code

)

select * from final
