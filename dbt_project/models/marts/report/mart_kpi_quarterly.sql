-- Quarterly KPIs of the whole business by calendar quarter. Grain: one row per calendar
-- quarter with at least one month in mart_kpi_monthly_totals. revenue_qoq_pct compares a
-- calendar quarter with the calendar quarter before it (mart_kpi_monthly's rolling
-- comparison is revenue_3m_vs_prev_3m_pct). Ratios unrounded, as in
-- mart_kpi_monthly_totals.

with

monthly_totals as (

    select * from {{ ref('mart_kpi_monthly_totals') }}

),

quarters as (

    select
        cast({{ dbt.date_trunc('quarter', 'month_start') }} as date) as quarter_start,
        max(as_of_date) as as_of_date,
        sum(revenue_cny) as revenue_cny,
        sum(key_account_revenue_cny) as key_account_revenue_cny,
        count(*) as month_count,
        sum(case when is_complete_month then 1 else 0 end) as complete_month_count
    from monthly_totals
    group by {{ dbt.date_trunc('quarter', 'month_start') }}

),

final as (

    select
        quarters.quarter_start,
        quarters.as_of_date,
        cast(extract(year from quarters.quarter_start) as {{ dbt.type_string() }})
        || '-Q'
        || cast(extract(quarter from quarters.quarter_start) as {{ dbt.type_string() }})
            as quarter_label,
        quarters.month_count = 3
        and quarters.complete_month_count = 3 as is_complete_quarter,
        {{ marts_int('quarters.month_count') }} as month_count,
        quarters.revenue_cny,
        previous_quarter.revenue_cny as revenue_prev_quarter_cny,
        {{ marts_safe_divide(
            'quarters.revenue_cny - previous_quarter.revenue_cny',
            'previous_quarter.revenue_cny'
        ) }} as revenue_qoq_pct,
        previous_year.revenue_cny as revenue_prev_year_cny,
        {{ marts_safe_divide(
            'quarters.revenue_cny - previous_year.revenue_cny', 'previous_year.revenue_cny'
        ) }} as revenue_yoy_pct,
        quarters.key_account_revenue_cny,
        {{ marts_safe_divide('quarters.key_account_revenue_cny', 'quarters.revenue_cny') }}
            as key_account_revenue_share
    from quarters
    left join quarters as previous_quarter
        on
            previous_quarter.quarter_start
            = {{ marts_months_before('quarters.quarter_start', 3) }}
    left join quarters as previous_year
        on
            previous_year.quarter_start
            = {{ marts_months_before('quarters.quarter_start', 12) }}

)

select * from final
