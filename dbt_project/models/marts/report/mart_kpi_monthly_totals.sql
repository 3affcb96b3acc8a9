-- Monthly KPIs of the whole business: mart_kpi_monthly summed over every region x industry
-- x size band slice. Grain: one row per calendar month (first month with data .. as-of
-- month). Ratios are computed from the sums here (they are not additive) and kept
-- unrounded: the report rounds once, when it formats them.

with

kpi_monthly as (

    select * from {{ ref('mart_kpi_monthly') }}

),

as_of as (

    select * from {{ ref('int_as_of_date') }}

),

monthly as (

    select
        month_start,
        is_complete_month,
        sum(revenue_cny) as revenue_cny,
        sum(margin_cny) as margin_cny,
        sum(order_count) as order_count,
        sum(revenue_prev_month_cny) as revenue_prev_month_cny,
        sum(revenue_prev_year_cny) as revenue_prev_year_cny,
        sum(key_account_revenue_cny) as key_account_revenue_cny,
        sum(key_account_margin_cny) as key_account_margin_cny,
        sum(due_cny) as due_cny,
        sum(collected_cny) as collected_cny,
        sum(survey_count) as survey_count,
        sum(satisfaction_sum) as satisfaction_sum
    from kpi_monthly
    group by month_start, is_complete_month

),

final as (

    select
        monthly.month_start,
        as_of.as_of_date,
        monthly.is_complete_month,
        monthly.month_start >= {{ marts_months_before('as_of.as_of_month_start', 11) }}
            as is_in_last_12_months,
        monthly.revenue_cny,
        monthly.margin_cny,
        {{ marts_int('monthly.order_count') }} as order_count,
        monthly.revenue_prev_month_cny,
        {{ marts_safe_divide(
            'monthly.revenue_cny - monthly.revenue_prev_month_cny',
            'monthly.revenue_prev_month_cny'
        ) }} as revenue_mom_pct,
        monthly.revenue_prev_year_cny,
        {{ marts_safe_divide(
            'monthly.revenue_cny - monthly.revenue_prev_year_cny',
            'monthly.revenue_prev_year_cny'
        ) }} as revenue_yoy_pct,
        monthly.key_account_revenue_cny,
        monthly.key_account_margin_cny,
        {{ marts_safe_divide('monthly.key_account_revenue_cny', 'monthly.revenue_cny') }}
            as key_account_revenue_share,
        monthly.due_cny,
        monthly.collected_cny,
        {{ marts_int('monthly.survey_count') }} as survey_count,
        monthly.satisfaction_sum
    from monthly
    cross join as_of

)

select * from final
