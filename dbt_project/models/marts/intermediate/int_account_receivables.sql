-- One row per account with an invoice issued on or before the as-of date: receivables as
-- they stood at the end of the as-of day. Overdue = unpaid more than risk_overdue_days past
-- the due date; collection rate = paid / invoiced of the invoices that fell due within the
-- window.

with

invoice_status as (

    select * from {{ ref('int_invoice_status') }}

),

flagged as (

    select
        *,
        invoice_amount_cny - paid_amount_cny as outstanding_cny,
        invoice_amount_cny - paid_amount_cny > 0.005
        and days_past_due > {{ var('risk_overdue_days') }} as is_overdue
    from invoice_status

),

final as (

    select
        account_id,
        sum(outstanding_cny) as outstanding_cny,
        sum(case when is_overdue then 1 else 0 end) as overdue_invoice_count,
        coalesce(sum(case when is_overdue then outstanding_cny end), 0) as overdue_amount_cny,
        max(case when is_overdue then days_past_due end) as max_days_past_due,
        coalesce(
            sum(case when is_due_in_window then invoice_amount_cny end), 0
        ) as due_in_window_invoiced_cny,
        coalesce(
            sum(case when is_due_in_window then paid_amount_cny end), 0
        ) as due_in_window_paid_cny,
        {{ marts_round(marts_safe_divide(
            'sum(case when is_due_in_window then paid_amount_cny end)',
            'sum(case when is_due_in_window then invoice_amount_cny end)'
        ), 6) }} as collection_rate
    from flagged
    group by account_id

)

select * from final
