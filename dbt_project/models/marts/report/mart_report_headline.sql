-- The headline KPIs of the weekly report. Grain: one row per as-of date (the marts are
-- built for one as-of date, so the table has one row). Window figures sum
-- mart_account_tiers (the window_months before the as-of date); "last month" is the newest
-- complete month of mart_kpi_monthly_totals; the 12-month figures cover the 12 calendar
-- months ending with the as-of month. Ratios and averages unrounded (the report rounds
-- once, when it formats them).

with

as_of as (

    select * from {{ ref('int_as_of_date') }}

),

account_tiers as (

    select * from {{ ref('mart_account_tiers') }}

),

account_risk as (

    select * from {{ ref('mart_account_risk') }}

),

risk_levels as (

    select * from {{ ref('risk_levels') }}

),

funnel_stages as (

    select * from {{ ref('mart_funnel_stages') }}

),

monthly_totals as (

    select * from {{ ref('mart_kpi_monthly_totals') }}

),

win_back as (

    select count(*) as win_back_count
    from {{ ref('mart_account_win_back') }}

),

window_totals as (

    select
        count(*) as account_count,
        sum(case when is_key_account then 1 else 0 end) as key_account_count,
        sum(case when value_tier_code = 'vip' then 1 else 0 end) as vip_count,
        sum(case when value_tier_code = 'key' then 1 else 0 end) as key_tier_count,
        coalesce(sum(window_revenue_cny), 0) as window_revenue_cny,
        coalesce(sum(window_margin_cny), 0) as window_margin_cny,
        coalesce(
            sum(case when is_key_account then window_revenue_cny end), 0
        ) as key_account_revenue_cny,
        coalesce(
            sum(case when is_key_account then window_margin_cny end), 0
        ) as key_account_margin_cny,
        sum(window_order_count) as window_order_count
    from account_tiers

),

risk_counts as (

    select
        sum(case when risk_levels.is_at_risk then 1 else 0 end) as at_risk_count,
        sum(case when account_risk.risk_level_code = 'high' then 1 else 0 end)
            as high_risk_count,
        sum(case when account_risk.risk_level_code = 'medium' then 1 else 0 end)
            as medium_risk_count,
        sum(
            case when risk_levels.is_at_risk and account_tiers.is_key_account then 1 else 0 end
        ) as key_at_risk_count
    from account_risk
    left join risk_levels
        on account_risk.risk_level_code = risk_levels.risk_level_code
    left join account_tiers
        on account_risk.account_id = account_tiers.account_id

),

won_stage as (

    select max(conversion_from_lead_rate) as win_rate
    from funnel_stages
    where stage_code = 'won'

),

last_complete_month as (

    select
        month_start as last_month,
        revenue_cny as last_month_revenue_cny,
        revenue_mom_pct as last_month_mom_pct,
        revenue_yoy_pct as last_month_yoy_pct
    from monthly_totals
    where
        month_start = (
            select max(complete.month_start) as newest_complete_month
            from monthly_totals as complete
            where complete.is_complete_month
        )

),

last_12_months as (

    select
        sum(collected_cny) as collected_cny,
        sum(due_cny) as due_cny,
        sum(satisfaction_sum) as satisfaction_sum,
        sum(survey_count) as survey_count
    from monthly_totals
    where is_in_last_12_months

),

final as (

    select
        as_of.as_of_date,
        as_of.window_months,
        as_of.window_start_date,
        {{ marts_int('window_totals.account_count') }} as account_count,
        {{ marts_int('coalesce(window_totals.key_account_count, 0)') }} as key_account_count,
        {{ marts_int('coalesce(window_totals.vip_count, 0)') }} as vip_count,
        {{ marts_int('coalesce(window_totals.key_tier_count, 0)') }} as key_tier_count,
        window_totals.window_revenue_cny,
        window_totals.key_account_revenue_cny,
        window_totals.window_revenue_cny - window_totals.key_account_revenue_cny
            as other_account_revenue_cny,
        {{ marts_safe_divide(
            'window_totals.key_account_revenue_cny', 'window_totals.window_revenue_cny'
        ) }} as key_account_revenue_share,
        {{ marts_safe_divide(
            'window_totals.window_revenue_cny - window_totals.key_account_revenue_cny',
            'window_totals.window_revenue_cny'
        ) }} as other_account_revenue_share,
        window_totals.window_margin_cny,
        window_totals.key_account_margin_cny,
        window_totals.window_margin_cny - window_totals.key_account_margin_cny
            as other_account_margin_cny,
        {{ marts_safe_divide(
            'window_totals.key_account_margin_cny', 'window_totals.window_margin_cny'
        ) }} as key_account_margin_share,
        {{ marts_safe_divide(
            'window_totals.window_margin_cny - window_totals.key_account_margin_cny',
            'window_totals.window_margin_cny'
        ) }} as other_account_margin_share,
        {{ marts_safe_divide(
            'window_totals.window_margin_cny', 'window_totals.window_revenue_cny'
        ) }} as gross_margin_pct,
        {{ marts_safe_divide(
            'window_totals.key_account_revenue_cny', 'window_totals.key_account_count'
        ) }} as avg_revenue_per_key_account,
        {{ marts_safe_divide(
            'window_totals.window_revenue_cny', 'window_totals.window_order_count'
        ) }} as aov_cny,
        last_complete_month.last_month,
        last_complete_month.last_month_revenue_cny,
        last_complete_month.last_month_mom_pct,
        last_complete_month.last_month_yoy_pct,
        {{ marts_int('coalesce(risk_counts.at_risk_count, 0)') }} as at_risk_count,
        {{ marts_int('coalesce(risk_counts.high_risk_count, 0)') }} as high_risk_count,
        {{ marts_int('coalesce(risk_counts.medium_risk_count, 0)') }} as medium_risk_count,
        {{ marts_int('coalesce(risk_counts.key_at_risk_count, 0)') }} as key_at_risk_count,
        {{ marts_int('win_back.win_back_count') }} as win_back_count,
        won_stage.win_rate,
        {{ marts_safe_divide('last_12_months.collected_cny', 'last_12_months.due_cny') }}
            as collection_rate_12m,
        {{ marts_safe_divide(
            'last_12_months.satisfaction_sum', 'last_12_months.survey_count'
        ) }} as satisfaction_avg_12m,
        {{ marts_months_before('as_of.as_of_month_start', 11) }} as first_month_12m,
        as_of.as_of_month_start as last_month_12m
    from as_of
    cross join window_totals
    cross join risk_counts
    cross join won_stage
    cross join last_12_months
    cross join win_back
    left join last_complete_month
        on 1 = 1

)

select * from final
