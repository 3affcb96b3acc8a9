-- Accounts and window revenue per ABC class for the weekly report. Grain: one row per ABC
-- class with at least one account in mart_account_tiers, in the seed's sort order.

with

account_tiers as (

    select * from {{ ref('mart_account_tiers') }}

),

abc_classes as (

    select * from {{ ref('abc_classes') }}

),

by_class as (

    select
        max(as_of_date) as as_of_date,
        abc_class,
        count(*) as account_count,
        sum(window_revenue_cny) as revenue_cny
    from account_tiers
    where abc_class is not null
    group by abc_class

),

final as (

    select
        by_class.as_of_date,
        by_class.abc_class,
        abc_classes.sort_order as abc_sort_order,
        {{ marts_int('by_class.account_count') }} as account_count,
        by_class.revenue_cny,
        {{ marts_safe_divide('by_class.revenue_cny', 'sum(by_class.revenue_cny) over ()') }}
            as revenue_share
    from by_class
    inner join abc_classes
        on by_class.abc_class = abc_classes.abc_class

)

select * from final
