-- One row per account with a completed order up to the as-of date (UNKNOWN excluded): the
-- purchase metrics every account mart uses (RFM inputs, window totals, repurchase rate,
-- rolling-quarter and lifecycle revenue, and the least-squares slope of monthly revenue).

with

orders as (

    select * from {{ ref('int_completed_orders') }}
    where account_id <> 'UNKNOWN'

),

account_periods as (

    select * from {{ ref('int_account_period_revenue') }}

),

as_of as (

    select * from {{ ref('int_as_of_date') }}

),

lifetime as (

    select
        account_id,
        min(order_date) as first_order_date,
        max(order_date) as last_order_date,
        count(*) as lifetime_order_count,
        sum(revenue_cny) as lifetime_revenue_cny,
        sum(margin_cny) as lifetime_margin_cny
    from orders
    group by account_id

),

period_totals as (

    select
        account_id,
        sum(case when is_in_window then order_count else 0 end) as window_order_count,
        sum(case when is_in_window then revenue_cny else 0 end) as window_revenue_cny,
        sum(case when is_in_window then margin_cny else 0 end) as window_margin_cny,
        sum(case when is_in_window and order_count > 0 then 1 else 0 end) as window_active_months,
        sum(
            case when is_in_window and is_repeat_purchase_period then 1 else 0 end
        ) as repeat_purchase_months,
        sum(case when period_index <= 3 then revenue_cny else 0 end) as quarter_revenue_cny,
        sum(
            case when period_index between 4 and 6 then revenue_cny else 0 end
        ) as prior_quarter_revenue_cny,
        sum(case when is_in_lifecycle then revenue_cny else 0 end) as lifecycle_revenue_cny,
        sum(
            case when is_in_lifecycle_prior then revenue_cny else 0 end
        ) as lifecycle_prior_revenue_cny
    from account_periods
    group by account_id

),

-- slope = (n * sum(xy) - sum(x) * sum(y)) / (n * sum(x^2) - sum(x)^2), x = 1 (oldest) .. n
trend_sums as (

    select
        account_id,
        count(*) as n,
        sum(cast(lifecycle_month_number as {{ marts_type_double() }})) as sum_x,
        sum(cast(revenue_cny as {{ marts_type_double() }})) as sum_y,
        sum(
            cast(lifecycle_month_number as {{ marts_type_double() }})
            * cast(revenue_cny as {{ marts_type_double() }})
        ) as sum_xy,
        sum(
            cast(lifecycle_month_number as {{ marts_type_double() }})
            * lifecycle_month_number
        ) as sum_xx
    from account_periods
    where is_in_lifecycle
    group by account_id

),

trend as (

    select
        account_id,
        -- rounded so that a flat series is exactly 0 despite float arithmetic
        coalesce(
            {{ marts_round(
                marts_safe_divide('n * sum_xy - sum_x * sum_y', 'n * sum_xx - sum_x * sum_x'),
                4
            ) }},
            0
        ) as lifecycle_slope_cny_per_month
    from trend_sums

),

final as (

    select
        lifetime.account_id,
        as_of.as_of_date,
        lifetime.first_order_date,
        lifetime.last_order_date,
        {{ dbt.datediff('lifetime.last_order_date', 'as_of.as_of_date', 'day') }}
            as days_since_last_order,
        lifetime.lifetime_order_count,
        lifetime.lifetime_revenue_cny,
        lifetime.lifetime_margin_cny,
        period_totals.window_order_count,
        period_totals.window_revenue_cny,
        period_totals.window_margin_cny,
        {{ marts_safe_divide(
            'period_totals.window_revenue_cny', 'period_totals.window_order_count'
        ) }} as window_aov_cny,
        period_totals.window_active_months,
        period_totals.repeat_purchase_months,
        {{ marts_round(
            marts_safe_divide('period_totals.repeat_purchase_months', 'as_of.window_months'), 6
        ) }} as repurchase_rate,
        period_totals.quarter_revenue_cny,
        period_totals.prior_quarter_revenue_cny,
        {{ marts_round(marts_safe_divide(
            'period_totals.quarter_revenue_cny - period_totals.prior_quarter_revenue_cny',
            'period_totals.prior_quarter_revenue_cny'
        ), 6) }} as revenue_change_qoq,
        period_totals.lifecycle_revenue_cny,
        period_totals.lifecycle_prior_revenue_cny,
        {{ marts_round(marts_safe_divide(
            'period_totals.lifecycle_revenue_cny - period_totals.lifecycle_prior_revenue_cny',
            'period_totals.lifecycle_prior_revenue_cny'
        ), 6) }} as lifecycle_revenue_change,
        coalesce(trend.lifecycle_slope_cny_per_month, 0) as lifecycle_slope_cny_per_month
    from lifetime
    cross join as_of
    inner join period_totals
        on lifetime.account_id = period_totals.account_id
    left join trend
        on lifetime.account_id = trend.account_id

)

select * from final
