{{ config(materialized='view') }}

with

base as (
    select * from {{ ref('base_erp__payments') }}
    where row_status = 'staged'
),

final as (
    select
        payment_id,
        invoice_id,
        payment_date,
        paid_amount_cny,
        _source_file,
        _row_number,
        _partition_date
    from base
)

select * from final
