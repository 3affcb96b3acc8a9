-- Facts never carry a quarantined or duplicate row: every fact row's source row is staged.
-- Checked on the two largest facts through their lineage columns.

with

order_lines as (
    select * from {{ ref('stg_erp__order_lines') }}
),

base_order_lines as (
    select * from {{ ref('base_erp__order_lines') }}
),

orders as (
    select * from {{ ref('stg_erp__orders') }}
),

base_orders as (
    select * from {{ ref('base_erp__orders') }}
),

not_staged as (
    select base_order_lines._source_file
    from order_lines
    inner join base_order_lines
        on
            order_lines._source_file = base_order_lines._source_file
            and order_lines._row_number = base_order_lines._row_number
    where base_order_lines.row_status <> 'staged'
    union all
    select base_orders._source_file
    from orders
    inner join base_orders
        on
            orders._source_file = base_orders._source_file
            and orders._row_number = base_orders._row_number
    where base_orders.row_status <> 'staged'
)

select * from not_staged
