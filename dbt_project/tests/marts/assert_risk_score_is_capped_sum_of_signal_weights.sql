-- mart_account_risk.risk_score = min(100, sum of the weights of the account's rows in
-- mart_account_risk_signals), and signal_count = the number of scored ones (weight > 0).
-- Returns mismatches.

with

signal_totals as (

    select
        account_id,
        sum(case when signal_weight > 0 then 1 else 0 end) as signal_count,
        sum(signal_weight) as weight_sum
    from {{ ref('mart_account_risk_signals') }}
    group by account_id

),

compared as (

    select
        account_risk.account_id,
        account_risk.risk_score,
        account_risk.signal_count,
        coalesce(signal_totals.signal_count, 0) as expected_signal_count,
        case
            when coalesce(signal_totals.weight_sum, 0) > 100 then 100
            else coalesce(signal_totals.weight_sum, 0)
        end as expected_risk_score
    from {{ ref('mart_account_risk') }} as account_risk
    left join signal_totals
        on account_risk.account_id = signal_totals.account_id

)

select * from compared
where
    risk_score <> expected_risk_score
    or signal_count <> expected_signal_count
