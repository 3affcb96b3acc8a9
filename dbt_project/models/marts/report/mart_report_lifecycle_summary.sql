-- Accounts and recent revenue per lifecycle stage for the weekly report. Grain: one row per
-- stage with at least one account in mart_account_lifecycle, in the seed's sort order.

with

account_lifecycle as (

    select * from {{ ref('mart_account_lifecycle') }}

),

lifecycle_stages as (

    select * from {{ ref('lifecycle_stages') }}

),

by_stage as (

    select
        max(as_of_date) as as_of_date,
        lifecycle_stage_code,
        count(*) as account_count,
        sum(recent_revenue_cny) as recent_revenue_cny
    from account_lifecycle
    group by lifecycle_stage_code

),

final as (

    select
        by_stage.as_of_date,
        by_stage.lifecycle_stage_code,
        lifecycle_stages.lifecycle_stage_name_zh,
        lifecycle_stages.lifecycle_stage_name_en,
        lifecycle_stages.sort_order as lifecycle_stage_sort_order,
        {{ marts_int('by_stage.account_count') }} as account_count,
        by_stage.recent_revenue_cny
    from by_stage
    left join lifecycle_stages
        on by_stage.lifecycle_stage_code = lifecycle_stages.lifecycle_stage_code

)

select * from final
