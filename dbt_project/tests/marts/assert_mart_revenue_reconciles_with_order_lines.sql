-- Revenue in the marts must reconcile with fct_order_lines: completed lines on or before
-- the as-of date in total (KPI marts) and in the window (account marts, without the
-- UNKNOWN member). Returns one row per mart total that is off by more than 1 CNY.

with

as_of as (

    select * from {{ ref('int_as_of_date') }}

),

order_lines as (

    select order_lines.*
    from {{ ref('fct_order_lines') }} as order_lines
    cross join as_of
    where
        order_lines.is_completed
        and order_lines.order_date <= as_of.as_of_date

),

expected as (

    select
        coalesce(sum(order_lines.revenue_cny), 0) as total_revenue_cny,
        coalesce(sum(
            case
                when
                    order_lines.order_date >= as_of.window_start_date
                    and order_lines.account_id <> 'UNKNOWN'
                    then order_lines.revenue_cny
            end
        ), 0) as window_account_revenue_cny
    from order_lines
    cross join as_of

),

mart_totals as (

    select
        'mart_kpi_monthly' as mart,
        'total' as scope,
        coalesce(sum(revenue_cny), 0) as revenue_cny
    from {{ ref('mart_kpi_monthly') }}
    union all
    select
        'mart_kpi_by_rep' as mart,
        'total' as scope,
        coalesce(sum(revenue_cny), 0) as revenue_cny
    from {{ ref('mart_kpi_by_rep') }}
    union all
    select
        'mart_kpi_by_product' as mart,
        'total' as scope,
        coalesce(sum(revenue_cny), 0) as revenue_cny
    from {{ ref('mart_kpi_by_product') }}
    union all
    select
        'mart_account_rfm' as mart,
        'window' as scope,
        coalesce(sum(monetary_revenue_cny), 0) as revenue_cny
    from {{ ref('mart_account_rfm') }}
    union all
    select
        'mart_account_tiers' as mart,
        'window' as scope,
        coalesce(sum(window_revenue_cny), 0) as revenue_cny
    from {{ ref('mart_account_tiers') }}

),

compared as (

    select
        mart_totals.mart,
        mart_totals.scope,
        mart_totals.revenue_cny as mart_revenue_cny,
        case
            when mart_totals.scope = 'total' then expected.total_revenue_cny
            else expected.window_account_revenue_cny
        end as expected_revenue_cny
    from mart_totals
    cross join expected

)

select * from compared
where abs(mart_revenue_cny - expected_revenue_cny) > 1
