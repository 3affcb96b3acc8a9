-- One row per staged payment, attributed to the account of the invoice it pays.

with

payments as (
    select * from {{ ref('stg_erp__payments') }}
),

invoices as (
    select * from {{ ref('stg_erp__invoices') }}
),

final as (
    select
        payments.payment_id,
        payments.invoice_id,
        coalesce(invoices.account_id, 'UNKNOWN') as account_id,
        payments.payment_date,
        payments.paid_amount_cny,
        invoices.invoice_id is not null as is_invoice_known
    from payments
    left join invoices
        on payments.invoice_id = invoices.invoice_id
)

select * from final
