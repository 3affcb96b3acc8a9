-- Monthly KPIs per sales rep (the rep who booked the order / owns the opportunity or
-- activity). Grain: one row per calendar month (first month with orders .. as-of month) x
-- rep_id, dense for every rep of dim_sales_reps and every rep id found on an order,
-- opportunity or activity.

{%- set rep_months = 'partition by rep_id order by month_start' %}

with

orders as (

    select * from {{ ref('int_completed_orders') }}

),

sales_reps as (

    select * from {{ ref('dim_sales_reps') }}

),

opportunity_stages as (

    select * from {{ ref('fct_opportunity_stages') }}

),

activities as (

    select * from {{ ref('fct_activities') }}

),

calendar as (

    select * from {{ ref('dim_date') }}

),

as_of as (

    select * from {{ ref('int_as_of_date') }}

),

first_orders as (

    select
        account_id,
        rep_id,
        order_month_start,
        row_number() over (partition by account_id order by order_date, order_id) as order_rank
    from orders
    where account_id <> 'UNKNOWN'

),

new_accounts as (

    select
        rep_id,
        order_month_start as month_start,
        count(*) as new_account_count
    from first_orders
    where order_rank = 1
    group by rep_id, order_month_start

),

order_facts as (

    select
        rep_id,
        order_month_start as month_start,
        sum(revenue_cny) as revenue_cny,
        sum(cost_cny) as cost_cny,
        sum(margin_cny) as margin_cny,
        sum(quantity) as quantity,
        count(*) as order_count,
        count(distinct case when account_id <> 'UNKNOWN' then account_id end)
            as buying_account_count
    from orders
    group by rep_id, order_month_start

),

closed_opportunities as (

    select
        coalesce(opportunity_stages.rep_id, 'UNKNOWN') as rep_id,
        cast({{ dbt.date_trunc('month', 'opportunity_stages.entered_at') }} as date) as month_start,
        sum(case when opportunity_stages.stage_code = 'won' then 1 else 0 end) as won_count,
        sum(case when opportunity_stages.stage_code = 'lost' then 1 else 0 end) as lost_count,
        sum(
            case when opportunity_stages.stage_code = 'won' then opportunity_stages.amount_cny end
        ) as won_amount_cny
    from opportunity_stages
    cross join as_of
    where
        opportunity_stages.stage_code in ('won', 'lost')
        and cast(opportunity_stages.entered_at as date) <= as_of.as_of_date
    group by
        coalesce(opportunity_stages.rep_id, 'UNKNOWN'),
        cast({{ dbt.date_trunc('month', 'opportunity_stages.entered_at') }} as date)

),

activity_facts as (

    select
        coalesce(activities.rep_id, 'UNKNOWN') as rep_id,
        cast({{ dbt.date_trunc('month', 'activities.activity_date') }} as date) as month_start,
        count(*) as activity_count,
        sum(case when activities.activity_type = 'visit' then 1 else 0 end) as visit_count
    from activities
    cross join as_of
    where activities.activity_date <= as_of.as_of_date
    group by
        coalesce(activities.rep_id, 'UNKNOWN'),
        cast({{ dbt.date_trunc('month', 'activities.activity_date') }} as date)

),

reps as (

    select rep_id from sales_reps
    union
    select rep_id from order_facts
    union
    select rep_id from closed_opportunities
    union
    select rep_id from activity_facts

),

first_month as (

    select min(month_start) as first_month_start
    from order_facts

),

months as (

    select distinct calendar.month_start
    from calendar
    cross join as_of
    cross join first_month
    where
        calendar.month_start >= first_month.first_month_start
        and calendar.month_start <= as_of.as_of_month_start

),

grid as (

    select
        reps.rep_id,
        months.month_start
    from reps
    cross join months

),

joined as (

    select
        grid.rep_id,
        grid.month_start,
        coalesce(order_facts.revenue_cny, 0) as revenue_cny,
        coalesce(order_facts.cost_cny, 0) as cost_cny,
        coalesce(order_facts.margin_cny, 0) as margin_cny,
        coalesce(order_facts.quantity, 0) as quantity,
        coalesce(order_facts.order_count, 0) as order_count,
        coalesce(order_facts.buying_account_count, 0) as buying_account_count,
        coalesce(new_accounts.new_account_count, 0) as new_account_count,
        coalesce(closed_opportunities.won_count, 0) as opportunities_won_count,
        coalesce(closed_opportunities.lost_count, 0) as opportunities_lost_count,
        coalesce(closed_opportunities.won_amount_cny, 0) as won_amount_cny,
        coalesce(activity_facts.activity_count, 0) as activity_count,
        coalesce(activity_facts.visit_count, 0) as visit_count
    from grid
    left join order_facts
        on grid.rep_id = order_facts.rep_id and grid.month_start = order_facts.month_start
    left join new_accounts
        on grid.rep_id = new_accounts.rep_id and grid.month_start = new_accounts.month_start
    left join closed_opportunities
        on
            grid.rep_id = closed_opportunities.rep_id
            and grid.month_start = closed_opportunities.month_start
    left join activity_facts
        on grid.rep_id = activity_facts.rep_id and grid.month_start = activity_facts.month_start

),

with_history as (

    select
        *,
        sum(revenue_cny) over (partition by month_start) as month_total_revenue_cny,
        lag(revenue_cny, 1) over ({{ rep_months }}) as revenue_prev_month_cny,
        lag(revenue_cny, 12) over ({{ rep_months }}) as revenue_prev_year_cny
    from joined

),

final as (

    select
        with_history.month_start,
        as_of.as_of_date,
        cast({{ dbt.dateadd('month', 1, 'with_history.month_start') }} as date)
        <= cast({{ dbt.dateadd('day', 1, 'as_of.as_of_date') }} as date) as is_complete_month,
        with_history.rep_id,
        coalesce(sales_reps.rep_name, 'UNKNOWN') as rep_name,
        coalesce(sales_reps.team, 'UNKNOWN') as team,
        coalesce(sales_reps.region_code, 'UNKNOWN') as rep_region_code,
        coalesce(sales_reps.is_active, false) as is_active,
        {{ marts_money('with_history.revenue_cny') }} as revenue_cny,
        {{ marts_money('with_history.cost_cny') }} as cost_cny,
        {{ marts_money('with_history.margin_cny') }} as margin_cny,
        {{ marts_rate(marts_safe_divide('with_history.margin_cny', 'with_history.revenue_cny')) }}
            as gross_margin_pct,
        cast(with_history.quantity as decimal(18, 2)) as quantity,
        {{ marts_int('with_history.order_count') }} as order_count,
        {{ marts_int('with_history.buying_account_count') }} as buying_account_count,
        {{ marts_money(marts_safe_divide('with_history.revenue_cny', 'with_history.order_count')) }}
            as aov_cny,
        {{ marts_rate(marts_safe_divide(
            'with_history.revenue_cny', 'with_history.month_total_revenue_cny'
        )) }} as revenue_share_of_month,
        {{ marts_money('with_history.revenue_prev_month_cny') }} as revenue_prev_month_cny,
        {{ marts_rate(marts_safe_divide(
            'with_history.revenue_cny - with_history.revenue_prev_month_cny',
            'with_history.revenue_prev_month_cny'
        )) }} as revenue_mom_pct,
        {{ marts_money('with_history.revenue_prev_year_cny') }} as revenue_prev_year_cny,
        {{ marts_rate(marts_safe_divide(
            'with_history.revenue_cny - with_history.revenue_prev_year_cny',
            'with_history.revenue_prev_year_cny'
        )) }} as revenue_yoy_pct,
        {{ marts_int('with_history.new_account_count') }} as new_account_count,
        {{ marts_int('with_history.opportunities_won_count') }} as opportunities_won_count,
        {{ marts_int('with_history.opportunities_lost_count') }} as opportunities_lost_count,
        {{ marts_rate(marts_safe_divide(
            'with_history.opportunities_won_count',
            'with_history.opportunities_won_count + with_history.opportunities_lost_count'
        )) }} as win_rate,
        {{ marts_money('with_history.won_amount_cny') }} as won_amount_cny,
        {{ marts_int('with_history.activity_count') }} as activity_count,
        {{ marts_int('with_history.visit_count') }} as visit_count
    from with_history
    cross join as_of
    left join sales_reps
        on with_history.rep_id = sales_reps.rep_id

)

select * from final
