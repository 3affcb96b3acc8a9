-- One row per account x risk snapshot date (int_risk_snapshot_dates) for every account with
-- a completed order on or before that date: every measure a risk signal looks at, as it
-- stood at the end of the snapshot day (purchases, purchase rhythm, satisfaction,
-- complaints, receivables, lost opportunities). The one definition of the risk features:
-- the production warning reads snapshot 0 (the as-of date), the backtest the others.
-- Incremental by snapshot (risk_snapshot_features_config): a run computes only the
-- snapshots whose inputs, dates or rule changed (int_risk_snapshot_fingerprints and
-- risk_features_fingerprint), keeps the others, and drops snapshots no longer wanted.
{{ config(**risk_snapshot_features_config()) }}
{#- a table built before build_fingerprint existed is rebuilt whole -#}
{%- set keeps_snapshots = is_incremental() and 'build_fingerprint' in (
    adapter.get_columns_in_relation(this) | map(attribute='name') | list
) %}

with

orders as (

    select * from {{ ref('int_completed_orders') }}
    where account_id <> 'UNKNOWN'

),

wanted_snapshots as (

    select
        dates.*,
        {{ risk_features_fingerprint('fingerprints.inputs_fingerprint') }} as build_fingerprint
    from {{ ref('int_risk_snapshot_dates') }} as dates
    inner join {{ ref('int_risk_snapshot_fingerprints') }} as fingerprints
        on dates.snapshot_date = fingerprints.snapshot_date

),

-- the snapshots to compute: all, or those not built yet with their current fingerprint
snapshots as (

    select * from wanted_snapshots
    {%- if keeps_snapshots %}
    where build_fingerprint not in (select built.build_fingerprint from {{ this }} as built)
    {%- endif %}

),

surveys as (

    select * from {{ ref('fct_surveys') }}
    where satisfaction_score is not null

),

complaints as (

    select * from {{ ref('fct_complaints') }}

),

invoices as (

    select * from {{ ref('fct_invoices') }}

),

payments as (

    select * from {{ ref('fct_payments') }}

),

opportunity_stages as (

    select * from {{ ref('fct_opportunity_stages') }}

),

opportunities as (

    select * from {{ ref('fct_opportunities') }}

),

purchases as (

    select
        snapshots.snapshot_date,
        orders.account_id,
        min(orders.order_date) as first_order_date,
        max(orders.order_date) as last_order_date,
        sum(
            case when orders.order_date >= snapshots.window_start_date then 1 else 0 end
        ) as window_order_count,
        sum(
            case
                when orders.order_date >= snapshots.quarter_start_date then orders.revenue_cny
                else 0
            end
        ) as quarter_revenue_cny,
        sum(
            case
                when
                    orders.order_date >= snapshots.prior_quarter_start_date
                    and orders.order_date <= snapshots.prior_quarter_end_date
                    then orders.revenue_cny
                else 0
            end
        ) as prior_quarter_revenue_cny
    from orders
    inner join snapshots
        on orders.order_date <= snapshots.snapshot_date
    group by snapshots.snapshot_date, orders.account_id

),

window_surveys as (

    select
        snapshots.snapshot_date,
        surveys.account_id,
        cast(surveys.satisfaction_score as {{ marts_type_double() }}) as satisfaction_score,
        surveys.submitted_date >= snapshots.quarter_start_date as is_recent
    from surveys
    inner join snapshots
        on
            surveys.submitted_date >= snapshots.window_start_date
            and surveys.submitted_date <= snapshots.snapshot_date

),

satisfaction as (

    select
        snapshot_date,
        account_id,
        count(*) as window_survey_count,
        avg(satisfaction_score) as satisfaction_window_avg,
        sum(case when is_recent then 1 else 0 end) as recent_survey_count,
        avg(case when is_recent then satisfaction_score end) as satisfaction_recent_avg,
        sum(case when not is_recent then 1 else 0 end) as baseline_survey_count,
        avg(case when not is_recent then satisfaction_score end) as satisfaction_baseline_avg
    from window_surveys
    group by snapshot_date, account_id

),

complaint_counts as (

    select
        snapshots.snapshot_date,
        complaints.account_id,
        sum(
            case when complaints.created_date >= snapshots.quarter_start_date then 1 else 0 end
        ) as complaints_quarter,
        sum(
            case
                when
                    complaints.created_date >= snapshots.prior_quarter_start_date
                    and complaints.created_date <= snapshots.prior_quarter_end_date
                    then 1
                else 0
            end
        ) as complaints_prior_quarter
    from complaints
    inner join snapshots
        on
            complaints.created_date >= snapshots.prior_quarter_start_date
            and complaints.created_date <= snapshots.snapshot_date
    group by snapshots.snapshot_date, complaints.account_id

),

-- each invoice issued by the snapshot date, with what had been paid on it by then
invoice_payments as (

    select
        snapshots.snapshot_date,
        invoices.invoice_id,
        coalesce(sum(payments.paid_amount_cny), 0) as paid_amount_cny
    from invoices
    inner join snapshots
        on invoices.invoice_date <= snapshots.snapshot_date
    left join payments
        on
            invoices.invoice_id = payments.invoice_id
            and snapshots.snapshot_date >= payments.payment_date
    group by snapshots.snapshot_date, invoices.invoice_id

),

invoice_status as (

    select
        snapshots.snapshot_date,
        coalesce(invoices.account_id, 'UNKNOWN') as account_id,
        invoices.invoice_amount_cny,
        case
            when invoice_payments.paid_amount_cny > invoices.invoice_amount_cny
                then invoices.invoice_amount_cny
            else invoice_payments.paid_amount_cny
        end as paid_amount_cny,
        {{ dbt.datediff('invoices.due_date', 'snapshots.snapshot_date', 'day') }}
            as days_past_due,
        invoices.due_date >= snapshots.window_start_date
        and invoices.due_date <= snapshots.snapshot_date as is_due_in_window
    from invoice_payments
    inner join snapshots
        on invoice_payments.snapshot_date = snapshots.snapshot_date
    inner join invoices
        on invoice_payments.invoice_id = invoices.invoice_id

),

-- overdue: unpaid more than risk_overdue_days past due, at most risk_overdue_max_days
-- (older debts are a collection case, not a sign of a relationship cooling now), and at
-- least risk_overdue_min_cny outstanding on the invoice (a rounding remainder or a small
-- short payment is not credit risk)
invoice_flags as (

    select
        *,
        invoice_amount_cny - paid_amount_cny as outstanding_cny,
        invoice_amount_cny - paid_amount_cny >= {{ var('risk_overdue_min_cny') }}
        and days_past_due > {{ var('risk_overdue_days') }}
        and days_past_due <= {{ var('risk_overdue_max_days') }} as is_overdue
    from invoice_status

),

receivables as (

    select
        snapshot_date,
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
    from invoice_flags
    group by snapshot_date, account_id

),

recent_losses as (

    select
        snapshots.snapshot_date,
        opportunity_stages.opportunity_id,
        opportunity_stages.account_id,
        opportunity_stages.amount_cny,
        opportunities.lost_reason,
        row_number() over (
            partition by snapshots.snapshot_date, opportunity_stages.account_id
            order by opportunity_stages.entered_at desc, opportunity_stages.opportunity_id asc
        ) as recency_rank
    from opportunity_stages
    inner join snapshots
        on
            cast(opportunity_stages.entered_at as date) >= snapshots.quarter_start_date
            and cast(opportunity_stages.entered_at as date) <= snapshots.snapshot_date
    left join opportunities
        on opportunity_stages.opportunity_id = opportunities.opportunity_id
    where opportunity_stages.stage_code = 'lost'

),

lost_opportunities as (

    select
        snapshot_date,
        account_id,
        count(distinct opportunity_id) as lost_opportunity_count,
        coalesce(sum(amount_cny), 0) as lost_opportunity_amount_cny,
        max(case when recency_rank = 1 then lost_reason end) as last_lost_reason
    from recent_losses
    group by snapshot_date, account_id

),

final as (

    select
        snapshots.snapshot_index,
        snapshots.snapshot_date,
        snapshots.is_latest,
        purchases.account_id,
        snapshots.snapshot_date as as_of_date,
        purchases.first_order_date,
        purchases.last_order_date,
        {{ dbt.datediff('purchases.last_order_date', 'snapshots.snapshot_date', 'day') }}
            as days_since_last_order,
        purchases.window_order_count,
        purchases.quarter_revenue_cny,
        purchases.prior_quarter_revenue_cny,
        {{ marts_round(marts_safe_divide(
            'purchases.quarter_revenue_cny - purchases.prior_quarter_revenue_cny',
            'purchases.prior_quarter_revenue_cny'
        ), 6) }} as revenue_change_qoq,
        {{ marts_round('satisfaction.satisfaction_window_avg', 4) }} as satisfaction_window_avg,
        {{ marts_round('satisfaction.satisfaction_recent_avg', 4) }} as satisfaction_recent_avg,
        {{ marts_round('satisfaction.satisfaction_baseline_avg', 4) }}
            as satisfaction_baseline_avg,
        receivables.max_days_past_due,
        receivables.collection_rate,
        lost_opportunities.last_lost_reason,
        coalesce(satisfaction.window_survey_count, 0) as window_survey_count,
        coalesce(satisfaction.recent_survey_count, 0) as recent_survey_count,
        coalesce(satisfaction.baseline_survey_count, 0) as baseline_survey_count,
        -- current satisfaction: the last 3 months' mean, else the window's
        {{ marts_round(
            'coalesce(satisfaction.satisfaction_recent_avg, satisfaction.satisfaction_window_avg)',
            4
        ) }} as satisfaction_current,
        coalesce(complaint_counts.complaints_quarter, 0) as complaints_quarter,
        coalesce(complaint_counts.complaints_prior_quarter, 0) as complaints_prior_quarter,
        coalesce(receivables.outstanding_cny, 0) as outstanding_cny,
        coalesce(receivables.overdue_invoice_count, 0) as overdue_invoice_count,
        coalesce(receivables.overdue_amount_cny, 0) as overdue_amount_cny,
        coalesce(receivables.due_in_window_invoiced_cny, 0) as due_in_window_invoiced_cny,
        coalesce(receivables.due_in_window_paid_cny, 0) as due_in_window_paid_cny,
        coalesce(lost_opportunities.lost_opportunity_count, 0) as lost_opportunity_count,
        coalesce(
            lost_opportunities.lost_opportunity_amount_cny, 0
        ) as lost_opportunity_amount_cny,
        snapshots.build_fingerprint
    from purchases
    inner join snapshots
        on purchases.snapshot_date = snapshots.snapshot_date
    left join satisfaction
        on
            purchases.snapshot_date = satisfaction.snapshot_date
            and purchases.account_id = satisfaction.account_id
    left join complaint_counts
        on
            purchases.snapshot_date = complaint_counts.snapshot_date
            and purchases.account_id = complaint_counts.account_id
    left join receivables
        on
            purchases.snapshot_date = receivables.snapshot_date
            and purchases.account_id = receivables.account_id
    left join lost_opportunities
        on
            purchases.snapshot_date = lost_opportunities.snapshot_date
            and purchases.account_id = lost_opportunities.account_id

)

select * from final
