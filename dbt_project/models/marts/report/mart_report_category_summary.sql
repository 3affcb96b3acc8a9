-- Revenue and volume per product category over the 12 calendar months ending with the
-- as-of month, with their shares of the total, for the weekly report. Grain: one row per
-- category with sales in those months.

with

kpi_by_product as (

    select * from {{ ref('mart_kpi_by_product') }}

),

as_of as (

    select * from {{ ref('int_as_of_date') }}

),

by_category as (

    select
        max(as_of.as_of_date) as as_of_date,
        max({{ marts_months_before('as_of.as_of_month_start', 11) }}) as first_month,
        max(as_of.as_of_month_start) as last_month,
        kpi_by_product.category,
        sum(kpi_by_product.revenue_cny) as revenue_cny,
        sum(kpi_by_product.quantity) as quantity
    from kpi_by_product
    cross join as_of
    where
        kpi_by_product.month_start
        >= {{ marts_months_before('as_of.as_of_month_start', 11) }}
        and kpi_by_product.month_start <= as_of.as_of_month_start
    group by kpi_by_product.category

),

final as (

    select
        as_of_date,
        first_month,
        last_month,
        category,
        revenue_cny,
        quantity,
        {{ marts_safe_divide('revenue_cny', 'sum(revenue_cny) over ()') }} as revenue_share,
        {{ marts_safe_divide('quantity', 'sum(quantity) over ()') }} as volume_share
    from by_category

)

select * from final
