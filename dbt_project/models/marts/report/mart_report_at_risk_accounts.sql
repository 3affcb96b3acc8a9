-- The accounts at risk (risk levels with is_at_risk in the seed risk_levels) as the weekly
-- report lists them. Grain: one row per account at risk; at_risk_rank orders them by risk
-- score, then window revenue (highest first), then account_id.

with

account_risk as (

    select * from {{ ref('mart_account_risk') }}

),

risk_levels as (

    select * from {{ ref('risk_levels') }}

),

account_tiers as (

    select * from {{ ref('mart_account_tiers') }}

),

regions as (

    select * from {{ ref('dim_region') }}

),

final as (

    select
        account_risk.as_of_date,
        account_risk.account_id,
        account_risk.account_name,
        account_risk.region_code,
        coalesce(regions.region_name_zh, '未知') as region_name_zh,
        coalesce(regions.region_name_en, 'Unknown') as region_name_en,
        coalesce(account_tiers.is_key_account, false) as is_key_account,
        account_tiers.value_tier_code,
        account_tiers.window_revenue_cny,
        account_risk.risk_level_code,
        risk_levels.sort_order as risk_level_sort_order,
        account_risk.risk_score,
        account_risk.top_reasons_zh,
        account_risk.top_reasons_en,
        account_risk.reasons_zh,
        account_risk.reasons_en,
        account_risk.owner_rep_name,
        account_risk.owner_rep_team,
        {{ marts_int(
            'row_number() over (order by account_risk.risk_score desc, '
            ~ 'account_tiers.window_revenue_cny desc, account_risk.account_id)'
        ) }} as at_risk_rank
    from account_risk
    inner join risk_levels
        on account_risk.risk_level_code = risk_levels.risk_level_code
    left join account_tiers
        on account_risk.account_id = account_tiers.account_id
    left join regions
        on account_risk.region_code = regions.region_code
    where risk_levels.is_at_risk

)

select * from final
