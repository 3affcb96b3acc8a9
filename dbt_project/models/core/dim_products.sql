-- One row per product: the ERP catalogue, an inferred member for every product id that
-- order lines name but the catalogue lacks, and UNKNOWN.

with

products as (
    select * from {{ ref('stg_erp__products') }}
),

product_mentions as (
    select distinct product_id from {{ ref('stg_erp__order_lines') }}
),

known as (
    select
        product_id,
        product_name,
        coalesce(category, '未知') as category,
        coalesce(product_line, '未知') as product_line,
        list_price_cny,
        unit_cost_cny,
        launched_date,
        true as is_in_catalogue
    from products
),

inferred as (
    select
        product_mentions.product_id,
        {{ dbt.concat(["'未知产品 '", 'product_mentions.product_id']) }} as product_name,
        '未知' as category,
        '未知' as product_line,
        cast(null as decimal(18, 2)) as list_price_cny,
        cast(null as decimal(18, 2)) as unit_cost_cny,
        cast(null as date) as launched_date,
        false as is_in_catalogue
    from product_mentions
    where
        product_mentions.product_id <> 'UNKNOWN'
        and product_mentions.product_id not in (select known.product_id from known)
),

unknown_member as (
    select
        'UNKNOWN' as product_id,
        '未知产品' as product_name,
        '未知' as category,
        '未知' as product_line,
        cast(null as decimal(18, 2)) as list_price_cny,
        cast(null as decimal(18, 2)) as unit_cost_cny,
        cast(null as date) as launched_date,
        false as is_in_catalogue
),

final as (
    select * from known
    union all
    select * from inferred
    union all
    select * from unknown_member
)

select * from final
