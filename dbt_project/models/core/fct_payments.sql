-- One row per staged payment, attributed to the account of the invoice it pays.
-- Incremental by payment day (macros/incremental/): a run rebuilds the days of the window
-- and the days of payments delivered, or whose invoice was delivered, in it.
{{ config(
    materialized='incremental',
    unique_key='payment_id',
    meta={'business_date': 'payment_date'},
    **daily_fact_config('payment_month')
) }}
{%- set windowed = incremental_window() is not none %}

with

all_payments as (
    select * from {{ ref('stg_erp__payments') }}
),

invoices as (
    select * from {{ ref('stg_erp__invoices') }}
),
{%- if windowed %}

-- days touched by the window: payments dated or delivered in it, and payments whose
-- invoice was delivered in it (a late invoice names the payment's account)
changed_days as (
    {{ touched_days('all_payments', 'payment_date') }}
    union
    select all_payments.payment_date as business_date
    from all_payments
    inner join invoices
        on all_payments.invoice_id = invoices.invoice_id
    where {{ in_incremental_window('invoices._partition_date') }}
),
{%- endif %}

payments as (
    select * from all_payments
    {%- if windowed %}
    where {{ in_batch_period('payment_date') }}
    {%- endif %}
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

select
    final.*,
    {{ month_of('final.payment_date') }} as payment_month
from final
