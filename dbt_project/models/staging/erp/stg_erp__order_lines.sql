{{ config(materialized='view') }}

with

base as (
    select * from {{ ref('base_erp__order_lines') }}
    where row_status = 'staged'
),

final as (
    select
        order_id,
        line_no,
        product_id,
        quantity,
        unit_price_cny,
        discount_pct,
        unit_cost_cny,
        _source_file,
        _row_number,
        _partition_date
    from base
)

select * from final
