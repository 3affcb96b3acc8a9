{{ config(materialized='view') }}

with

base as (
    select * from {{ ref('base_erp__products') }}
    where row_status = 'staged'
),

final as (
    select
        product_id,
        product_name,
        category,
        product_line,
        list_price_cny,
        unit_cost_cny,
        launched_date,
        _source_file,
        _row_number,
        _partition_date
    from base
)

select * from final
