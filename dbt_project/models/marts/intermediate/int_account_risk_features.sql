-- One row per account with a completed order up to the as-of date: every measure a risk
-- signal looks at, gathered in one place (purchases, satisfaction, complaints, receivables,
-- lost opportunities). The signal rules themselves are in mart_account_risk_signals.

with

account_metrics as (

    select * from {{ ref('int_account_order_metrics') }}

),

feedback as (

    select * from {{ ref('int_account_feedback') }}

),

receivables as (

    select * from {{ ref('int_account_receivables') }}

),

lost_opportunities as (

    select * from {{ ref('int_account_lost_opportunities') }}

),

final as (

    select
        account_metrics.account_id,
        account_metrics.as_of_date,
        account_metrics.last_order_date,
        account_metrics.days_since_last_order,
        account_metrics.quarter_revenue_cny,
        account_metrics.prior_quarter_revenue_cny,
        account_metrics.revenue_change_qoq,
        feedback.satisfaction_window_avg,
        feedback.satisfaction_recent_avg,
        feedback.satisfaction_baseline_avg,
        receivables.max_days_past_due,
        receivables.collection_rate,
        lost_opportunities.last_lost_reason,
        coalesce(feedback.window_survey_count, 0) as window_survey_count,
        coalesce(feedback.recent_survey_count, 0) as recent_survey_count,
        coalesce(feedback.baseline_survey_count, 0) as baseline_survey_count,
        -- current satisfaction: the last 3 months' mean, else the window's
        coalesce(
            feedback.satisfaction_recent_avg, feedback.satisfaction_window_avg
        ) as satisfaction_current,
        coalesce(feedback.complaints_quarter, 0) as complaints_quarter,
        coalesce(feedback.complaints_prior_quarter, 0) as complaints_prior_quarter,
        coalesce(receivables.outstanding_cny, 0) as outstanding_cny,
        coalesce(receivables.overdue_invoice_count, 0) as overdue_invoice_count,
        coalesce(receivables.overdue_amount_cny, 0) as overdue_amount_cny,
        coalesce(receivables.due_in_window_invoiced_cny, 0) as due_in_window_invoiced_cny,
        coalesce(receivables.due_in_window_paid_cny, 0) as due_in_window_paid_cny,
        coalesce(lost_opportunities.lost_opportunity_count, 0) as lost_opportunity_count,
        coalesce(
            lost_opportunities.lost_opportunity_amount_cny, 0
        ) as lost_opportunity_amount_cny
    from account_metrics
    left join feedback
        on account_metrics.account_id = feedback.account_id
    left join receivables
        on account_metrics.account_id = receivables.account_id
    left join lost_opportunities
        on account_metrics.account_id = lost_opportunities.account_id

)

select * from final
