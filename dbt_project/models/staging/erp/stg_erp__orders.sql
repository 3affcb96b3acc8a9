{{ config(materialized='view') }}

with

base as (
    select * from {{ ref('base_erp__orders') }}
    where row_status = 'staged'
),

final as (
    select
        order_id,
        account_id,
        rep_id,
        order_date,
        channel,
        status,
        order_amount_cny,
        _source_file,
        _row_number,
        _partition_date
    from base
)

select * from final
