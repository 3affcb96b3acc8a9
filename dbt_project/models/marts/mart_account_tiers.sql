-- Value tier, ABC (Pareto) class and the "high-value loyal" rule profile per account at the
-- as-of date. Grain: one row per account with a completed order on or before the as-of date.
-- Tiers are absolute (window revenue in CNY), or relative when tier_vip_top_account_share /
-- tier_key_top_account_share are set: the top share of accounts by window revenue.

with

account_metrics as (

    select * from {{ ref('int_account_order_metrics') }}

),

account_rfm as (

    select * from {{ ref('mart_account_rfm') }}

),

feedback as (

    select * from {{ ref('int_account_feedback') }}

),

value_tiers as (

    select * from {{ ref('value_tiers') }}

),

accounts as (

    select * from {{ ref('int_accounts_as_of') }}

),

as_of as (

    select * from {{ ref('int_as_of_date') }}

),

-- accounts by window revenue, largest first; ties broken by account_id
pareto as (

    select
        account_id,
        window_revenue_cny,
        row_number() over (order by window_revenue_cny desc, account_id asc) as revenue_rank,
        sum(case when window_revenue_cny > 0 then 1 else 0 end) over () as buying_account_count,
        sum(window_revenue_cny) over () as total_window_revenue_cny,
        sum(window_revenue_cny) over (
            order by window_revenue_cny desc, account_id asc
            rows between unbounded preceding and current row
        ) as cumulative_revenue_cny
    from account_metrics

),

pareto_shares as (

    select
        account_id,
        revenue_rank,
        buying_account_count,
        {{ marts_round(
            marts_safe_divide('window_revenue_cny', 'total_window_revenue_cny'), 10
        ) }} as revenue_share,
        {{ marts_round(
            marts_safe_divide('cumulative_revenue_cny', 'total_window_revenue_cny'), 10
        ) }} as cumulative_revenue_share
    from pareto

),

classified as (

    select
        account_metrics.account_id,
        account_metrics.window_revenue_cny,
        account_metrics.window_margin_cny,
        account_metrics.window_order_count,
        account_metrics.window_aov_cny,
        account_metrics.repurchase_rate,
        feedback.satisfaction_window_avg,
        account_rfm.rfm_score,
        account_rfm.segment_code,
        pareto_shares.revenue_rank,
        pareto_shares.revenue_share,
        pareto_shares.cumulative_revenue_share,
        coalesce(feedback.window_survey_count, 0) as window_survey_count,
        case
            when {{ tier_reached('vip') }} then 'vip'
            when {{ tier_reached('key') }} then 'key'
            when account_rfm.rfm_score >= {{ var('tier_potential_min_rfm_score') }}
                then 'potential'
            else 'general'
        end as value_tier_code,
        case
            when account_metrics.window_revenue_cny <= 0 then 'C'
            when pareto_shares.revenue_rank = 1 then 'A'
            when pareto_shares.cumulative_revenue_share <= {{ var('abc_a_max_share') }} then 'A'
            when pareto_shares.cumulative_revenue_share <= {{ var('abc_b_max_share') }} then 'B'
            else 'C'
        end as abc_class,
        coalesce(
            account_metrics.window_aov_cny > {{ var('profile_loyal_min_aov_cny') }}
            and account_metrics.repurchase_rate > {{ var('profile_loyal_min_repurchase_rate') }}
            and feedback.satisfaction_window_avg > {{ var('profile_loyal_min_satisfaction') }},
            false
        ) as is_high_value_loyal
    from account_metrics
    inner join account_rfm
        on account_metrics.account_id = account_rfm.account_id
    inner join pareto_shares
        on account_metrics.account_id = pareto_shares.account_id
    left join feedback
        on account_metrics.account_id = feedback.account_id

),

final as (

    select
        as_of.as_of_date,
        as_of.window_months,
        classified.account_id,
        coalesce(accounts.account_name, classified.account_id) as account_name,
        coalesce(accounts.region_code, 'UNKNOWN') as region_code,
        coalesce(accounts.industry_code, 'UNKNOWN') as industry_code,
        coalesce(accounts.revenue_band_code, 'UNKNOWN') as revenue_band_code,
        coalesce(accounts.owner_rep_id, 'UNKNOWN') as owner_rep_id,
        {{ marts_money('classified.window_revenue_cny') }} as window_revenue_cny,
        {{ marts_money('classified.window_margin_cny') }} as window_margin_cny,
        {{ marts_int('classified.window_order_count') }} as window_order_count,
        {{ marts_money('classified.window_aov_cny') }} as aov_cny,
        {{ marts_rate('classified.repurchase_rate') }} as repurchase_rate,
        {{ marts_avg('classified.satisfaction_window_avg') }} as satisfaction_avg,
        {{ marts_int('classified.window_survey_count') }} as survey_count,
        {{ marts_int('classified.rfm_score') }} as rfm_score,
        classified.segment_code as rfm_segment_code,
        classified.value_tier_code,
        value_tiers.value_tier_name_zh,
        value_tiers.value_tier_name_en,
        value_tiers.is_key_account,
        value_tiers.service_level_zh,
        value_tiers.service_level_en,
        {{ marts_int('classified.revenue_rank') }} as revenue_rank,
        cast(classified.revenue_share as decimal(12, 6)) as revenue_share,
        cast(classified.cumulative_revenue_share as decimal(12, 6)) as cumulative_revenue_share,
        classified.abc_class,
        classified.is_high_value_loyal
    from classified
    cross join as_of
    left join value_tiers
        on classified.value_tier_code = value_tiers.value_tier_code
    left join accounts
        on classified.account_id = accounts.account_id

)

select * from final
