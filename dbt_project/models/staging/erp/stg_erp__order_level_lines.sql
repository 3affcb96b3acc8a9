{{ config(materialized='view') }}

-- One order-level line for each staged order that delivers order_amount_cny but has no
-- delivered line at all (an orders-only export): line_no 0, product UNKNOWN, quantity 1,
-- unit price = the order's amount. fct_order_lines reads these next to
-- stg_erp__order_lines, so revenue flows through the same facts and marts either way,
-- and an order with lines (even quarantined ones) never counts its amount twice.

with

orders as (
    select * from {{ ref('stg_erp__orders') }}
),

-- every order id any delivered line names, whatever the line's row status
orders_with_lines as (
    select distinct order_id
    from {{ ref('base_erp__order_lines') }}
    where order_id is not null
),

final as (
    select
        orders.order_id,
        cast(0 as {{ dbt.type_bigint() }}) as line_no,
        'UNKNOWN' as product_id,
        cast(1 as decimal(18, 2)) as quantity,
        orders.order_amount_cny as unit_price_cny,
        cast(null as decimal(18, 4)) as discount_pct,
        cast(null as decimal(18, 2)) as unit_cost_cny,
        orders._source_file,
        orders._row_number,
        orders._partition_date
    from orders
    where
        orders.order_amount_cny is not null
        and orders.order_id not in (select orders_with_lines.order_id from orders_with_lines)
)

select * from final
