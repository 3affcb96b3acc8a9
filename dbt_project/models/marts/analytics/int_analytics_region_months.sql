-- Monthly revenue of completed orders by region (the account's region at the as-of date)
-- and for the whole company (region_code 'ALL'), for the revenue forecast of the analytics
-- stage (ka_pipeline/analytics/forecast.py). Grain: one row per region x complete calendar
-- month, from the first month with an order to the last month that ended on or before the
-- as-of date; months without revenue are 0, so every series is gap-free. Regions without
-- any order are absent.

with

orders as (

    select * from {{ ref('int_completed_orders') }}

),

accounts as (

    select * from {{ ref('int_accounts_as_of') }}

),

as_of as (

    select as_of_date from {{ ref('int_as_of_date') }}

),

months as (

    select distinct month_start from {{ ref('dim_date') }}

),

region_names as (

    select * from {{ ref('dim_region') }}

),

order_regions as (

    select
        orders.order_month_start as month_start,
        orders.revenue_cny,
        coalesce(accounts.region_code, 'UNKNOWN') as region_code
    from orders
    left join accounts
        on orders.account_id = accounts.account_id

),

region_months as (

    select
        region_code,
        month_start,
        sum(revenue_cny) as revenue_cny
    from order_regions
    group by region_code, month_start
    union all
    select
        'ALL' as region_code,
        month_start,
        sum(revenue_cny) as revenue_cny
    from order_regions
    group by month_start

),

span as (

    select min(month_start) as first_month_start
    from region_months

),

complete_months as (

    select months.month_start
    from months
    cross join span
    cross join as_of
    where
        months.month_start >= span.first_month_start
        and cast({{ dbt.dateadd('month', 1, 'months.month_start') }} as date)
        <= cast({{ dbt.dateadd('day', 1, 'as_of.as_of_date') }} as date)

),

regions as (

    select distinct region_code from region_months

),

final as (

    select
        regions.region_code,
        case
            when regions.region_code = 'ALL' then '全公司'
            else coalesce(region_names.region_name_zh, regions.region_code)
        end as region_name_zh,
        case
            when regions.region_code = 'ALL' then 'Company'
            else coalesce(region_names.region_name_en, regions.region_code)
        end as region_name_en,
        case
            when regions.region_code = 'ALL' then 0
            else coalesce(region_names.sort_order, 999)
        end as region_sort_order,
        complete_months.month_start,
        {{ marts_money('coalesce(region_months.revenue_cny, 0)') }} as revenue_cny,
        row_number() over (
            partition by regions.region_code order by complete_months.month_start
        ) as month_number
    from regions
    cross join complete_months
    left join region_months
        on
            regions.region_code = region_months.region_code
            and complete_months.month_start = region_months.month_start
    left join region_names
        on regions.region_code = region_names.region_code

)

select * from final
