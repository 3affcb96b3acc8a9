-- The account-grain state the weekly report is about, as of the as-of date: value tier,
-- key-account flag, ABC class, risk level and score, lifecycle stage, owner. Grain: one row
-- per account of mart_account_tiers. Kept for every as-of date in
-- mart_report_account_state_history, which the week-over-week changes compare.

with

account_tiers as (

    select * from {{ ref('mart_account_tiers') }}

),

account_risk as (

    select * from {{ ref('mart_account_risk') }}

),

account_lifecycle as (

    select * from {{ ref('mart_account_lifecycle') }}

),

value_tiers as (

    select * from {{ ref('value_tiers') }}

),

risk_levels as (

    select * from {{ ref('risk_levels') }}

),

final as (

    select
        account_tiers.as_of_date,
        account_tiers.account_id,
        account_tiers.account_name,
        account_risk.owner_rep_name,
        account_tiers.value_tier_code,
        value_tiers.sort_order as value_tier_sort_order,
        coalesce(account_tiers.is_key_account, false) as is_key_account,
        account_tiers.abc_class,
        coalesce(account_risk.risk_level_code, 'none') as risk_level_code,
        coalesce(risk_levels.is_at_risk, false) as is_at_risk,
        account_risk.risk_score,
        account_lifecycle.lifecycle_stage_code,
        account_tiers.window_revenue_cny
    from account_tiers
    left join account_risk
        on account_tiers.account_id = account_risk.account_id
    left join account_lifecycle
        on account_tiers.account_id = account_lifecycle.account_id
    left join value_tiers
        on account_tiers.value_tier_code = value_tiers.value_tier_code
    left join risk_levels
        on coalesce(account_risk.risk_level_code, 'none') = risk_levels.risk_level_code

)

select * from final
