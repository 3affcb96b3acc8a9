-- One row per opportunity (商机): its current stage, how far it got, and its outcome.

with

opportunity_stages as (
    select * from {{ ref('fct_opportunity_stages') }}
),

latest_stage as (
    select
        *,
        row_number() over (
            partition by opportunity_id order by stage_sequence desc
        ) as recency_rank
    from opportunity_stages
),

stage_summary as (
    select
        opportunity_id,
        count(*) as stage_count,
        min(entered_date) as created_date,
        max(case when not is_closed then stage_order end) as furthest_stage_order
    from opportunity_stages
    group by opportunity_id
),

opportunity_names as (
    select
        opportunity_id,
        max(opportunity_name) as opportunity_name
    from {{ ref('stg_crm__opportunities') }}
    group by opportunity_id
),

final as (
    select
        latest_stage.opportunity_id,
        latest_stage.account_id,
        latest_stage.rep_id,
        opportunity_names.opportunity_name,
        latest_stage.stage_code as current_stage_code,
        coalesce(stage_summary.furthest_stage_order, 0) as furthest_stage_order,
        stage_summary.stage_count,
        latest_stage.is_closed,
        latest_stage.is_closed and latest_stage.is_won as is_won,
        latest_stage.is_closed and not latest_stage.is_won as is_lost,
        latest_stage.amount_cny,
        latest_stage.expected_close_date,
        stage_summary.created_date,
        case when latest_stage.is_closed then latest_stage.entered_date end as closed_date,
        case
            when latest_stage.is_closed
                then {{ dbt.datediff(
                    'stage_summary.created_date', 'latest_stage.entered_date', 'day'
                ) }}
        end as cycle_days,
        case
            when latest_stage.is_closed and not latest_stage.is_won
                then latest_stage.lost_reason
        end as lost_reason
    from latest_stage
    inner join stage_summary
        on latest_stage.opportunity_id = stage_summary.opportunity_id
    left join opportunity_names
        on latest_stage.opportunity_id = opportunity_names.opportunity_id
    where latest_stage.recency_rank = 1
)

select * from final
