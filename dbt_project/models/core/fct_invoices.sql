-- One row per staged invoice, with what has been paid against it. Incremental by
-- invoice day (macros/incremental/): a run rebuilds the days of the window and the days
-- of invoices delivered, or paid by payments delivered, in it.
{{ config(
    materialized='incremental',
    unique_key='invoice_id',
    meta={'business_date': 'invoice_date'},
    **daily_fact_config('invoice_month')
) }}
{%- set windowed = incremental_window() is not none %}

with

all_invoices as (
    select * from {{ ref('stg_erp__invoices') }}
),

all_payments as (
    select * from {{ ref('stg_erp__payments') }}
),
{%- if windowed %}

-- days touched by the window: invoices dated or delivered in it, and invoices with
-- payments delivered in it (a late payment changes what is paid)
changed_days as (
    {{ touched_days('all_invoices', 'invoice_date') }}
    union
    select all_invoices.invoice_date as business_date
    from all_invoices
    inner join all_payments
        on all_invoices.invoice_id = all_payments.invoice_id
    where {{ in_incremental_window('all_payments._partition_date') }}
),
{%- endif %}

invoices as (
    select * from all_invoices
    {%- if windowed %}
    where {{ in_batch_period('invoice_date') }}
    {%- endif %}
),

payments as (
    select * from all_payments
    {%- if windowed %}
    where invoice_id in (select invoice_id from invoices)
    {%- endif %}
),

payment_totals as (
    select
        invoice_id,
        count(*) as payment_count,
        sum(paid_amount_cny) as paid_amount_cny,
        max(payment_date) as last_payment_date
    from payments
    group by invoice_id
),

joined as (
    select
        invoices.invoice_id,
        invoices.order_id,
        invoices.account_id,
        invoices.invoice_date,
        invoices.due_date,
        invoices.invoice_amount_cny,
        coalesce(payment_totals.payment_count, 0) as payment_count,
        cast(coalesce(payment_totals.paid_amount_cny, 0) as decimal(18, 2)) as paid_amount_cny,
        payment_totals.last_payment_date
    from invoices
    left join payment_totals
        on invoices.invoice_id = payment_totals.invoice_id
),

final as (
    select
        invoice_id,
        order_id,
        account_id,
        invoice_date,
        due_date,
        invoice_amount_cny,
        payment_count,
        paid_amount_cny,
        case
            when invoice_amount_cny > paid_amount_cny then invoice_amount_cny - paid_amount_cny
            else cast(0 as decimal(18, 2))
        end as outstanding_amount_cny,
        last_payment_date,
        paid_amount_cny >= invoice_amount_cny as is_fully_paid,
        case
            when paid_amount_cny >= invoice_amount_cny and last_payment_date is not null
                then {{ dbt.datediff('invoice_date', 'last_payment_date', 'day') }}
        end as days_to_pay
    from joined
)

select
    final.*,
    {{ month_of('final.invoice_date') }} as invoice_month
from final
