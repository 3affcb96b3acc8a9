-- One row per account with a completed order up to the as-of date: every measure a risk
-- signal looks at, at the as-of date. The latest snapshot of int_account_risk_snapshot_features
-- (one definition for the production warning and its backtest). The signal rules are in
-- macros/risk/risk_rules.sql.

with

snapshot_features as (

    select * from {{ ref('int_account_risk_snapshot_features') }}
    where is_latest

),

final as (

    select
        account_id,
        as_of_date,
        last_order_date,
        days_since_last_order,
        quarter_revenue_cny,
        prior_quarter_revenue_cny,
        revenue_change_qoq,
        satisfaction_window_avg,
        satisfaction_recent_avg,
        satisfaction_baseline_avg,
        max_days_past_due,
        collection_rate,
        last_lost_reason,
        window_survey_count,
        recent_survey_count,
        baseline_survey_count,
        satisfaction_current,
        complaints_quarter,
        complaints_prior_quarter,
        outstanding_cny,
        overdue_invoice_count,
        overdue_amount_cny,
        due_in_window_invoiced_cny,
        due_in_window_paid_cny,
        lost_opportunity_count,
        lost_opportunity_amount_cny
    from snapshot_features

)

select * from final
