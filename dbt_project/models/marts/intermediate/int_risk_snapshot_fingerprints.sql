-- One row per risk snapshot (int_risk_snapshot_dates): a fingerprint of everything the
-- snapshot's features are computed from. A snapshot at the end of day D reads only rows
-- dated on or before D (orders, surveys, complaints, invoices, payments, lost opportunity
-- stages), so its fingerprint combines the per-month fingerprints of those inputs up to
-- D's month with the snapshot's own dates. int_account_risk_snapshot_features rebuilds
-- only the snapshots whose fingerprint changed since it last built them: a night
-- recomputes the as-of snapshot and the month-ends a late or corrected row reaches,
-- instead of the twelve months of the backtest.

with

snapshots as (

    select * from {{ ref('int_risk_snapshot_dates') }}

),

-- each input as the features read it, fingerprinted by business month
input_months as (

    select
        'orders' as input_name,
        order_month_start as business_month,
        {{ fingerprint_agg(['order_id', 'account_id', 'order_date', 'revenue_cny']) }}
            as fingerprint
    from {{ ref('int_completed_orders') }}
    where account_id <> 'UNKNOWN'
    group by order_month_start

    union all

    select
        'surveys' as input_name,
        submitted_month as business_month,
        {{ fingerprint_agg([
            'survey_id', 'account_id', 'submitted_date', 'satisfaction_score'
        ]) }} as fingerprint
    from {{ ref('fct_surveys') }}
    where satisfaction_score is not null
    group by submitted_month

    union all

    select
        'complaints' as input_name,
        created_month as business_month,
        {{ fingerprint_agg(['complaint_id', 'account_id', 'created_date']) }} as fingerprint
    from {{ ref('fct_complaints') }}
    group by created_month

    union all

    select
        'invoices' as input_name,
        invoice_month as business_month,
        {{ fingerprint_agg([
            'invoice_id', 'account_id', 'invoice_date', 'due_date', 'invoice_amount_cny'
        ]) }} as fingerprint
    from {{ ref('fct_invoices') }}
    group by invoice_month

    union all

    select
        'payments' as input_name,
        payment_month as business_month,
        {{ fingerprint_agg([
            'payment_id', 'invoice_id', 'payment_date', 'paid_amount_cny'
        ]) }} as fingerprint
    from {{ ref('fct_payments') }}
    group by payment_month

    union all

    select
        'lost_opportunities' as input_name,
        cast({{ dbt.date_trunc('month', 'stages.entered_at') }} as date) as business_month,
        {{ fingerprint_agg([
            'stages.opportunity_stage_key', 'stages.opportunity_id', 'stages.account_id',
            'stages.amount_cny', 'stages.entered_at', 'opportunities.lost_reason'
        ]) }} as fingerprint
    from {{ ref('fct_opportunity_stages') }} as stages
    left join {{ ref('fct_opportunities') }} as opportunities
        on stages.opportunity_id = opportunities.opportunity_id
    where stages.stage_code = 'lost'
    group by cast({{ dbt.date_trunc('month', 'stages.entered_at') }} as date)

),

-- the inputs up to each snapshot's month (for the as-of snapshot its whole month: more
-- than it reads, which can only cause a rebuild, never a stale snapshot)
snapshot_inputs as (

    select
        snapshots.snapshot_date,
        {{ fingerprint_agg([
            'input_months.input_name', 'input_months.business_month',
            'input_months.fingerprint'
        ]) }} as data_fingerprint
    from snapshots
    inner join input_months
        on snapshots.snapshot_date >= input_months.business_month
    group by snapshots.snapshot_date

),

final as (

    select
        snapshots.snapshot_index,
        snapshots.snapshot_date,
        {{ hash_key([
            'snapshots.snapshot_index', 'snapshots.snapshot_date', 'snapshots.window_start_date',
            'snapshots.quarter_start_date',
            'snapshots.prior_quarter_start_date', 'snapshots.prior_quarter_end_date',
            'snapshot_inputs.data_fingerprint'
        ]) }} as inputs_fingerprint
    from snapshots
    left join snapshot_inputs
        on snapshots.snapshot_date = snapshot_inputs.snapshot_date

)

select * from final
