-- One row per account with at least one opportunity that entered stage `lost` in the last
-- 3 rolling months up to the as-of date: how many, their amount and the latest reason.

with

opportunity_stages as (

    select * from {{ ref('fct_opportunity_stages') }}

),

opportunities as (

    select * from {{ ref('fct_opportunities') }}

),

as_of as (

    select * from {{ ref('int_as_of_date') }}

),

recent_losses as (

    select
        opportunity_stages.opportunity_id,
        opportunity_stages.account_id,
        cast(opportunity_stages.entered_at as date) as lost_date,
        opportunity_stages.amount_cny,
        opportunities.lost_reason,
        row_number() over (
            partition by opportunity_stages.account_id
            order by opportunity_stages.entered_at desc, opportunity_stages.opportunity_id asc
        ) as recency_rank
    from opportunity_stages
    cross join as_of
    left join opportunities
        on opportunity_stages.opportunity_id = opportunities.opportunity_id
    where
        opportunity_stages.stage_code = 'lost'
        and cast(opportunity_stages.entered_at as date) >= as_of.quarter_start_date
        and cast(opportunity_stages.entered_at as date) <= as_of.as_of_date

),

final as (

    select
        account_id,
        count(distinct opportunity_id) as lost_opportunity_count,
        coalesce(sum(amount_cny), 0) as lost_opportunity_amount_cny,
        max(lost_date) as last_lost_date,
        max(case when recency_rank = 1 then lost_reason end) as last_lost_reason
    from recent_losses
    group by account_id

)

select * from final
