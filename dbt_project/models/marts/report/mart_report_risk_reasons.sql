-- The signals behind the accounts at risk (risk levels with is_at_risk in the seed
-- risk_levels) for the weekly report. Grain: one row per signal that fired for at least
-- one account at risk.

with

risk_signals as (

    select * from {{ ref('mart_account_risk_signals') }}

),

account_risk as (

    select * from {{ ref('mart_account_risk') }}

),

risk_levels as (

    select * from {{ ref('risk_levels') }}

),

account_tiers as (

    select * from {{ ref('mart_account_tiers') }}

),

at_risk_signals as (

    select
        risk_signals.as_of_date,
        risk_signals.signal_code,
        risk_signals.signal_name_zh,
        risk_signals.signal_name_en,
        risk_signals.signal_sort_order,
        risk_signals.account_id,
        account_risk.risk_level_code,
        coalesce(account_tiers.is_key_account, false) as is_key_account
    from risk_signals
    inner join account_risk
        on risk_signals.account_id = account_risk.account_id
    inner join risk_levels
        on account_risk.risk_level_code = risk_levels.risk_level_code
    left join account_tiers
        on risk_signals.account_id = account_tiers.account_id
    where risk_levels.is_at_risk

),

final as (

    select
        max(as_of_date) as as_of_date,
        signal_code,
        max(signal_name_zh) as signal_name_zh,
        max(signal_name_en) as signal_name_en,
        max(signal_sort_order) as signal_sort_order,
        {{ marts_int('count(distinct account_id)') }} as account_count,
        {{ marts_int("sum(case when risk_level_code = 'high' then 1 else 0 end)") }}
            as high_risk_account_count,
        {{ marts_int("sum(case when risk_level_code = 'medium' then 1 else 0 end)") }}
            as medium_risk_account_count,
        {{ marts_int('sum(case when is_key_account then 1 else 0 end)') }}
            as key_account_count
    from at_risk_signals
    group by signal_code

)

select * from final
