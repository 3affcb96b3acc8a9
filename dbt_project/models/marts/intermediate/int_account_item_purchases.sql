-- One row per account x item level x item bought in the RFM window up to the as-of date
-- (completed order lines, UNKNOWN account and unknown products excluded): the baskets of
-- the cross-sell rules. Levels: 'line' (product line) and 'category'.

with

order_lines as (

    select * from {{ ref('fct_order_lines') }}

),

products as (

    select * from {{ ref('dim_products') }}

),

as_of as (

    select * from {{ ref('int_as_of_date') }}

),

window_lines as (

    select
        order_lines.account_id,
        order_lines.order_id,
        order_lines.revenue_cny,
        products.product_line,
        products.category
    from order_lines
    cross join as_of
    inner join products
        on order_lines.product_id = products.product_id
    where
        order_lines.is_completed
        and order_lines.order_date >= as_of.window_start_date
        and order_lines.order_date <= as_of.as_of_date
        and order_lines.account_id <> 'UNKNOWN'

),

items as (

    select
        account_id,
        'line' as item_level,
        product_line as item_code,
        order_id,
        revenue_cny
    from window_lines
    where product_line <> '未知'

    union all

    select
        account_id,
        'category' as item_level,
        category as item_code,
        order_id,
        revenue_cny
    from window_lines
    where category <> '未知'

),

final as (

    select
        account_id,
        item_level,
        item_code,
        count(distinct order_id) as order_count,
        sum(revenue_cny) as revenue_cny
    from items
    group by account_id, item_level, item_code

)

select * from final
