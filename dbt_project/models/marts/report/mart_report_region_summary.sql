-- Key accounts by region for the weekly report. Grain: one row per region_code of
-- mart_account_tiers (window revenue of the window_months before the as-of date).
-- region_sort_order: most key accounts first, then most revenue.

with

account_tiers as (

    select * from {{ ref('mart_account_tiers') }}

),

regions as (

    select * from {{ ref('dim_region') }}

),

by_region as (

    select
        max(as_of_date) as as_of_date,
        region_code,
        sum(case when is_key_account then 1 else 0 end) as key_account_count,
        count(*) as account_count,
        sum(case when is_key_account then window_revenue_cny else 0 end) as key_revenue_cny,
        sum(case when is_key_account then 0 else window_revenue_cny end) as other_revenue_cny,
        sum(window_revenue_cny) as revenue_cny
    from account_tiers
    group by region_code

),

final as (

    select
        by_region.as_of_date,
        by_region.region_code,
        coalesce(regions.region_name_zh, '未知') as region_name_zh,
        coalesce(regions.region_name_en, 'Unknown') as region_name_en,
        {{ marts_int('by_region.key_account_count') }} as key_account_count,
        {{ marts_int('by_region.account_count') }} as account_count,
        by_region.key_revenue_cny,
        by_region.other_revenue_cny,
        by_region.revenue_cny,
        {{ marts_safe_divide('by_region.key_revenue_cny', 'by_region.revenue_cny') }}
            as key_revenue_share,
        {{ marts_int(
            'row_number() over (order by by_region.key_account_count desc, '
            ~ 'by_region.revenue_cny desc, by_region.region_code)'
        ) }} as region_sort_order
    from by_region
    left join regions
        on by_region.region_code = regions.region_code

)

select * from final
