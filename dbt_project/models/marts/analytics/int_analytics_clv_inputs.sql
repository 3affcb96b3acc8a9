-- The buy-till-you-die summary of every account at two cut-off dates, for the BG/NBD and
-- Gamma-Gamma models of the analytics stage (ka_pipeline/analytics/clv.py). Grain: one row
-- per account x snapshot:
--   current  - cut-off = the as-of date: the models fitted here give mart_account_clv;
--   backtest - cut-off = analytics_backtest_months before the as-of date, with what the
--              account actually bought in the analytics_clv_horizon_days after it (holdout),
--              to score the refitted models (mart_model_backtests).
-- A transaction is a day with a completed order (several orders of one day count once, as
-- in the models' literature); times are in weeks. frequency = repeat transactions (all but
-- the first), recency = weeks from the first to the last transaction, age = weeks from the
-- first transaction to the cut-off; monetary = mean revenue of the repeat transactions.

{%- set backtest_months = var('analytics_backtest_months') | int %}
{%- set horizon_days = var('analytics_clv_horizon_days') | int %}

with

orders as (

    select * from {{ ref('int_completed_orders') }}
    where account_id <> 'UNKNOWN'

),

as_of as (

    select as_of_date from {{ ref('int_as_of_date') }}

),

transactions as (

    select
        account_id,
        order_date,
        sum(revenue_cny) as revenue_cny
    from orders
    group by account_id, order_date

),

snapshots as (

    select
        'current' as snapshot_name,
        as_of_date as cutoff_date,
        as_of_date as holdout_end_date
    from as_of
    union all
    select
        'backtest' as snapshot_name,
        {{ marts_months_before('as_of_date', backtest_months) }} as cutoff_date,
        cast(
            {{ dbt.dateadd(
                'day', horizon_days, marts_months_before('as_of_date', backtest_months)
            ) }} as date
        ) as holdout_end_date
    from as_of

),

numbered as (

    select
        snapshots.snapshot_name,
        snapshots.cutoff_date,
        snapshots.holdout_end_date,
        transactions.account_id,
        transactions.order_date,
        transactions.revenue_cny,
        transactions.order_date <= snapshots.cutoff_date as is_calibration,
        row_number() over (
            partition by snapshots.snapshot_name, transactions.account_id
            order by transactions.order_date
        ) as transaction_number
    from snapshots
    inner join transactions
        on snapshots.holdout_end_date >= transactions.order_date

),

summary as (

    select
        snapshot_name,
        account_id,
        min(cutoff_date) as cutoff_date,
        min(holdout_end_date) as holdout_end_date,
        min(order_date) as first_transaction_date,
        max(case when is_calibration then order_date end) as last_transaction_date,
        sum(case when is_calibration then 1 else 0 end) - 1 as frequency,
        sum(
            case when is_calibration and transaction_number > 1 then revenue_cny else 0 end
        ) as repeat_revenue_cny,
        sum(case when is_calibration then revenue_cny else 0 end) as calibration_revenue_cny,
        sum(case when not is_calibration then 1 else 0 end) as holdout_transactions,
        sum(case when not is_calibration then revenue_cny else 0 end) as holdout_revenue_cny
    from numbered
    group by snapshot_name, account_id

),

final as (

    select
        snapshot_name,
        account_id,
        cutoff_date,
        holdout_end_date,
        first_transaction_date,
        last_transaction_date,
        {{ marts_int('frequency') }} as frequency,
        {{ marts_round(
            dbt.datediff('first_transaction_date', 'last_transaction_date', 'day') ~ ' / 7.0', 4
        ) }} as recency_weeks,
        {{ marts_round(
            dbt.datediff('first_transaction_date', 'cutoff_date', 'day') ~ ' / 7.0', 4
        ) }} as age_weeks,
        {{ marts_int(dbt.datediff('last_transaction_date', 'cutoff_date', 'day')) }}
            as days_since_last_transaction,
        {{ marts_money(
            'coalesce(' ~ marts_safe_divide('repeat_revenue_cny', 'frequency') ~ ', 0)'
        ) }} as monetary_mean_cny,
        {{ marts_money('calibration_revenue_cny') }} as calibration_revenue_cny,
        {{ marts_int('holdout_transactions') }} as holdout_transactions,
        {{ marts_money('holdout_revenue_cny') }} as holdout_revenue_cny,
        holdout_transactions > 0 as is_active_in_holdout
    from summary
    -- accounts whose first transaction falls after the cut-off are not in the snapshot
    where last_transaction_date is not null

)

select * from final
