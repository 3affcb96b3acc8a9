-- One row per invoice issued on or before the as-of date: what had been paid on it by the
-- end of the as-of day (payments after it ignored, capped at the invoice amount), and how
-- many days past due it was then.

with

invoices as (

    select * from {{ ref('fct_invoices') }}

),

payments as (

    select * from {{ ref('fct_payments') }}

),

as_of as (

    select * from {{ ref('int_as_of_date') }}

),

paid_by_invoice as (

    select
        payments.invoice_id,
        sum(payments.paid_amount_cny) as paid_amount_cny
    from payments
    cross join as_of
    where payments.payment_date <= as_of.as_of_date
    group by payments.invoice_id

),

final as (

    select
        invoices.invoice_id,
        coalesce(invoices.account_id, 'UNKNOWN') as account_id,
        invoices.invoice_date,
        cast({{ dbt.date_trunc('month', 'invoices.invoice_date') }} as date)
            as invoice_month_start,
        invoices.due_date,
        cast({{ dbt.date_trunc('month', 'invoices.due_date') }} as date) as due_month_start,
        invoices.due_date <= as_of.as_of_date as is_due,
        invoices.invoice_amount_cny,
        case
            when coalesce(paid_by_invoice.paid_amount_cny, 0) > invoices.invoice_amount_cny
                then invoices.invoice_amount_cny
            else coalesce(paid_by_invoice.paid_amount_cny, 0)
        end as paid_amount_cny,
        {{ dbt.datediff('invoices.due_date', 'as_of.as_of_date', 'day') }} as days_past_due,
        invoices.due_date >= as_of.window_start_date
        and invoices.due_date <= as_of.as_of_date as is_due_in_window
    from invoices
    cross join as_of
    left join paid_by_invoice
        on invoices.invoice_id = paid_by_invoice.invoice_id
    where invoices.invoice_date <= as_of.as_of_date

)

select * from final
