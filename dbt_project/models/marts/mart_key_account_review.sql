-- The key-account review list (seed 002's template): one row per key account (value tier
-- VIP or key at the as-of date) with its profile, purchase history, satisfaction, owner
-- rep, tier / RFM / lifecycle / risk, and a rule-based conclusion with the recommended
-- action (seed review_actions, first matching rule in action_priority order). The cross-sell
-- offer is the account's strongest product-line recommendation (mart_account_cross_sell:
-- "buys line A -> offer line B", from co-purchase rules across accounts).

with

account_tiers as (

    select * from {{ ref('mart_account_tiers') }}

),

account_rfm as (

    select * from {{ ref('mart_account_rfm') }}

),

account_lifecycle as (

    select * from {{ ref('mart_account_lifecycle') }}

),

account_risk as (

    select * from {{ ref('mart_account_risk') }}

),

account_signals as (

    select * from {{ ref('mart_account_risk_signals') }}

),

account_metrics as (

    select * from {{ ref('int_account_order_metrics') }}

),

product_lines as (

    select * from {{ ref('int_account_product_lines') }}

),

cross_sell as (

    select * from {{ ref('mart_account_cross_sell') }}
    where rule_level = 'line' and recommendation_rank = 1

),

accounts as (

    select * from {{ ref('int_accounts_as_of') }}

),

review_actions as (

    select * from {{ ref('review_actions') }}

),

key_accounts as (

    select
        account_tiers.account_id,
        account_tiers.as_of_date,
        account_tiers.window_revenue_cny,
        account_tiers.window_order_count,
        account_tiers.aov_cny,
        account_tiers.repurchase_rate,
        account_tiers.satisfaction_avg,
        account_tiers.value_tier_code,
        account_tiers.value_tier_name_zh,
        account_tiers.abc_class,
        account_tiers.is_high_value_loyal,
        account_rfm.segment_code as rfm_segment_code,
        account_rfm.segment_name_zh as rfm_segment_name_zh,
        account_rfm.value_group_code as rfm_value_group_code,
        account_lifecycle.lifecycle_stage_code,
        account_lifecycle.lifecycle_stage_name_zh,
        account_lifecycle.stage_reason_en,
        account_lifecycle.stage_reason_zh,
        account_lifecycle.revenue_change_pct as lifecycle_revenue_change_pct,
        account_risk.risk_score,
        account_risk.risk_level_code,
        account_risk.signal_codes as risk_signal_codes,
        account_risk.has_no_purchase,
        account_risk.has_revenue_drop_qoq,
        account_risk.has_opportunity_lost,
        account_risk.has_overdue_receivables,
        account_risk.has_low_collection_rate,
        account_risk.has_satisfaction_low,
        account_risk.has_satisfaction_falling,
        account_risk.has_complaints_rising,
        account_metrics.first_order_date,
        account_metrics.last_order_date,
        account_metrics.lifetime_order_count,
        account_metrics.lifetime_revenue_cny,
        product_lines.main_product_line,
        cross_sell.recommended_code as cross_sell_product_line,
        cross_sell.because_bought_code as cross_sell_because_line,
        cross_sell.confidence as cross_sell_confidence,
        cross_sell.lift as cross_sell_lift
    from account_tiers
    inner join account_rfm
        on account_tiers.account_id = account_rfm.account_id
    inner join account_lifecycle
        on account_tiers.account_id = account_lifecycle.account_id
    inner join account_risk
        on account_tiers.account_id = account_risk.account_id
    inner join account_metrics
        on account_tiers.account_id = account_metrics.account_id
    left join product_lines
        on account_tiers.account_id = product_lines.account_id
    left join cross_sell
        on account_tiers.account_id = cross_sell.account_id
    where account_tiers.is_key_account

),

actioned as (

    select
        *,
        case
            when lifecycle_stage_code = 'lost' then 'win_back'
            -- the early warning (levels calibrated by mart_risk_backtest), or a declining trend
            when
                risk_level_code in ('high', 'medium') or lifecycle_stage_code = 'decline'
                then 'retention_visit'
            when has_overdue_receivables or has_low_collection_rate then 'credit_review'
            when has_satisfaction_low or has_satisfaction_falling or has_complaints_rising
                then 'service_upgrade'
            when has_opportunity_lost then 'loss_review'
            when
                satisfaction_avg > {{ var('profile_loyal_min_satisfaction') }}
                and cross_sell_product_line is not null
                then 'cross_sell'
            when lifecycle_stage_code in ('growth', 'new') then 'invest_growth'
            else 'maintain'
        end as action_code
    from key_accounts

),

-- the reasons of the signals that led to the action, strongest first
action_reasons as (

    select
        actioned.account_id,
        {{ ordered_listagg(
            'account_signals.reason_en', "'; '",
            ['-account_signals.signal_weight', 'account_signals.signal_sort_order']
        ) }} as reasons_en,
        {{ ordered_listagg(
            'account_signals.reason_zh', "';'",
            ['-account_signals.signal_weight', 'account_signals.signal_sort_order']
        ) }} as reasons_zh
    from actioned
    inner join account_signals
        on
            actioned.account_id = account_signals.account_id
            and (
                (
                    actioned.action_code = 'win_back'
                    and account_signals.signal_code = 'no_purchase'
                )
                or (
                    actioned.action_code = 'retention_visit'
                    and account_signals.signal_weight > 0
                )
                or (
                    actioned.action_code = 'loss_review'
                    and account_signals.signal_code = 'opportunity_lost'
                )
                or (
                    actioned.action_code = 'credit_review'
                    and account_signals.signal_code in (
                        'overdue_receivables', 'low_collection_rate'
                    )
                )
                or (
                    actioned.action_code = 'service_upgrade'
                    and account_signals.signal_code in (
                        'satisfaction_low', 'satisfaction_falling', 'complaints_rising'
                    )
                )
            )
    group by actioned.account_id

),

concluded as (

    select
        actioned.*,
        case
            when action_reasons.reasons_en is not null then action_reasons.reasons_en
            when actioned.action_code = 'cross_sell'
                then
                    'Satisfaction ' || {{ marts_format_number('actioned.satisfaction_avg', 1) }}
                    || ', buys product line ' || actioned.cross_sell_because_line || ' ('
                    || {{ marts_format_pct('actioned.cross_sell_confidence') }}
                    || ' of the accounts buying it also buy '
                    || actioned.cross_sell_product_line || ', lift '
                    || {{ marts_format_number('actioned.cross_sell_lift', 2) }} || ')'
            when actioned.action_code = 'maintain'
                then
                    'Stable: ' || {{ marts_format_number('actioned.window_revenue_cny') }}
                    || ' CNY in the window, satisfaction '
                    || coalesce({{ marts_format_number('actioned.satisfaction_avg', 1) }}, 'n/a')
            else
                'Lifecycle ' || actioned.lifecycle_stage_code || ': ' || actioned.stage_reason_en
        end as facts_en,
        case
            when action_reasons.reasons_zh is not null then action_reasons.reasons_zh
            when actioned.action_code = 'cross_sell'
                then
                    '满意度' || {{ marts_format_number('actioned.satisfaction_avg', 1) }}
                    || ',采购产品线' || actioned.cross_sell_because_line || '(采购该线的客户中'
                    || {{ marts_format_pct('actioned.cross_sell_confidence') }}
                    || '也采购' || actioned.cross_sell_product_line || ',提升度'
                    || {{ marts_format_number('actioned.cross_sell_lift', 2) }} || ')'
            when actioned.action_code = 'maintain'
                then
                    '经营稳定:统计期收入' || {{ marts_format_number('actioned.window_revenue_cny') }}
                    || '元,满意度'
                    || coalesce({{ marts_format_number('actioned.satisfaction_avg', 1) }}, '无')
            else
                actioned.lifecycle_stage_name_zh || ':' || actioned.stage_reason_zh
        end as facts_zh
    from actioned
    left join action_reasons
        on actioned.account_id = action_reasons.account_id

),

final as (

    select
        concluded.as_of_date,
        {{ marts_int(
            'row_number() over (order by concluded.risk_score desc, '
            ~ 'concluded.window_revenue_cny desc, concluded.account_id)'
        ) }} as review_priority,
        concluded.account_id,
        coalesce(accounts.account_name, concluded.account_id) as account_name,
        coalesce(accounts.industry_code, 'UNKNOWN') as industry_code,
        coalesce(accounts.industry_name_zh, '未知') as industry_name_zh,
        coalesce(accounts.revenue_band_code, 'UNKNOWN') as size_band_code,
        coalesce(accounts.revenue_band_name_zh, '未知') as size_band_name_zh,
        coalesce(accounts.employee_band_code, 'UNKNOWN') as employee_band_code,
        coalesce(accounts.region_code, 'UNKNOWN') as region_code,
        coalesce(accounts.region_name_zh, '未知') as region_name_zh,
        concluded.lifecycle_stage_code,
        concluded.lifecycle_stage_name_zh,
        concluded.first_order_date,
        concluded.last_order_date,
        {{ marts_money('concluded.lifetime_revenue_cny') }} as total_revenue_cny,
        {{ marts_money('concluded.window_revenue_cny') }} as window_revenue_cny,
        concluded.aov_cny,
        {{ marts_int('concluded.window_order_count') }} as purchase_count,
        {{ marts_int('concluded.lifetime_order_count') }} as lifetime_purchase_count,
        concluded.repurchase_rate,
        concluded.satisfaction_avg,
        coalesce(accounts.owner_rep_id, 'UNKNOWN') as owner_rep_id,
        coalesce(accounts.owner_rep_name, 'UNKNOWN') as owner_rep_name,
        concluded.value_tier_code,
        concluded.value_tier_name_zh,
        concluded.abc_class,
        concluded.rfm_segment_code,
        concluded.rfm_segment_name_zh,
        concluded.rfm_value_group_code,
        concluded.is_high_value_loyal,
        concluded.risk_score,
        concluded.risk_level_code,
        concluded.risk_signal_codes,
        concluded.main_product_line,
        concluded.cross_sell_product_line,
        concluded.cross_sell_because_line,
        concluded.action_code,
        review_actions.action_name_zh,
        review_actions.action_name_en,
        concluded.facts_zh || ' → ' || review_actions.action_name_zh
        || case
            when concluded.action_code = 'cross_sell'
                then ':' || concluded.cross_sell_product_line
            else ''
        end as conclusion_zh,
        concluded.facts_en || ' → ' || review_actions.action_name_en
        || case
            when concluded.action_code = 'cross_sell'
                then ': ' || concluded.cross_sell_product_line
            else ''
        end as conclusion_en
    from concluded
    left join review_actions
        on concluded.action_code = review_actions.action_code
    left join accounts
        on concluded.account_id = accounts.account_id

)

select * from final
