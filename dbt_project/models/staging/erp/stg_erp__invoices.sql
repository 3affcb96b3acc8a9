{{ config(materialized='view') }}

with

base as (
    select * from {{ ref('base_erp__invoices') }}
    where row_status = 'staged'
),

final as (
    select
        invoice_id,
        order_id,
        account_id,
        invoice_date,
        due_date,
        invoice_amount_cny,
        _source_file,
        _row_number,
        _partition_date
    from base
)

select * from final
