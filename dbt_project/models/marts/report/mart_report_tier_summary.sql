-- Accounts and window revenue per value tier for the weekly report. Grain: one row per
-- value tier with at least one account in mart_account_tiers, in the seed's sort order.

with

account_tiers as (

    select * from {{ ref('mart_account_tiers') }}

),

value_tiers as (

    select * from {{ ref('value_tiers') }}

),

by_tier as (

    select
        max(as_of_date) as as_of_date,
        value_tier_code,
        count(*) as account_count,
        sum(window_revenue_cny) as revenue_cny
    from account_tiers
    group by value_tier_code

),

final as (

    select
        by_tier.as_of_date,
        by_tier.value_tier_code,
        value_tiers.value_tier_name_zh,
        value_tiers.value_tier_name_en,
        value_tiers.sort_order as value_tier_sort_order,
        {{ marts_int('by_tier.account_count') }} as account_count,
        by_tier.revenue_cny,
        {{ marts_safe_divide('by_tier.revenue_cny', 'sum(by_tier.revenue_cny) over ()') }}
            as revenue_share
    from by_tier
    left join value_tiers
        on by_tier.value_tier_code = value_tiers.value_tier_code

)

select * from final
