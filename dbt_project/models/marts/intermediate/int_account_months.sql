-- One row per account (incl. UNKNOWN) x calendar month, from the month of its first
-- completed order to the as-of month: order metrics of the month and the account-flow
-- flags of the KPI marts. An account churns on the day it reaches lifecycle_lost_min_days
-- without a purchase (the same rule as the lifecycle stage `lost`); it is active at the
-- start of a month when it bought in the lifecycle_lost_min_days days before.

{%- set lost_days = var('lifecycle_lost_min_days') | int %}

with

orders as (

    select * from {{ ref('int_completed_orders') }}

),

calendar as (

    select * from {{ ref('dim_date') }}

),

as_of as (

    select * from {{ ref('int_as_of_date') }}

),

months as (

    select distinct calendar.month_start
    from calendar
    cross join as_of
    where calendar.month_start <= as_of.as_of_month_start

),

account_first_orders as (

    select
        account_id,
        min(order_date) as first_order_date,
        min(order_month_start) as first_order_month_start
    from orders
    group by account_id

),

account_months as (

    select
        account_first_orders.account_id,
        account_first_orders.first_order_date,
        account_first_orders.first_order_month_start,
        months.month_start,
        cast({{ dbt.dateadd('day', -1 * lost_days, 'months.month_start') }} as date)
            as activity_lookback_start_date,
        cast({{ dbt.dateadd('month', 1, 'months.month_start') }} as date) as next_month_start
    from account_first_orders
    inner join months
        on account_first_orders.first_order_month_start <= months.month_start

),

monthly_orders as (

    select
        account_id,
        order_month_start as month_start,
        count(*) as order_count,
        sum(quantity) as quantity,
        sum(revenue_cny) as revenue_cny,
        sum(cost_cny) as cost_cny,
        sum(margin_cny) as margin_cny
    from orders
    group by account_id, order_month_start

),

order_days as (

    select distinct
        account_id,
        order_date
    from orders

),

order_gaps as (

    select
        account_id,
        order_date,
        lead(order_date) over (partition by account_id order by order_date) as next_order_date
    from order_days

),

churn_events as (

    select
        order_gaps.account_id,
        cast({{ dbt.dateadd('day', lost_days, 'order_gaps.order_date') }} as date) as churn_date
    from order_gaps
    cross join as_of
    where
        (
            order_gaps.next_order_date is null
            or order_gaps.next_order_date
            > cast({{ dbt.dateadd('day', lost_days, 'order_gaps.order_date') }} as date)
        )
        and cast({{ dbt.dateadd('day', lost_days, 'order_gaps.order_date') }} as date)
        <= as_of.as_of_date

),

active_at_start as (

    select distinct
        account_months.account_id,
        account_months.month_start
    from account_months
    inner join order_days
        on
            account_months.account_id = order_days.account_id
            and account_months.activity_lookback_start_date <= order_days.order_date
            and account_months.month_start > order_days.order_date

),

churned as (

    select distinct
        account_months.account_id,
        account_months.month_start
    from account_months
    inner join churn_events
        on
            account_months.account_id = churn_events.account_id
            and account_months.month_start <= churn_events.churn_date
            and account_months.next_month_start > churn_events.churn_date

),

final as (

    select
        account_months.account_id,
        account_months.month_start,
        coalesce(monthly_orders.order_count, 0) as order_count,
        coalesce(monthly_orders.quantity, 0) as quantity,
        coalesce(monthly_orders.revenue_cny, 0) as revenue_cny,
        coalesce(monthly_orders.cost_cny, 0) as cost_cny,
        coalesce(monthly_orders.margin_cny, 0) as margin_cny,
        -- account-flow flags: never for the UNKNOWN member (orders of unknown accounts)
        account_months.account_id <> 'UNKNOWN'
        and monthly_orders.account_id is not null as is_buyer,
        account_months.account_id <> 'UNKNOWN'
        and account_months.month_start = account_months.first_order_month_start
            as is_new_account,
        account_months.account_id <> 'UNKNOWN'
        and monthly_orders.account_id is not null
        and account_months.first_order_date < account_months.month_start as is_repeat_buyer,
        account_months.account_id <> 'UNKNOWN'
        and active_at_start.account_id is not null as is_active_at_start,
        account_months.account_id <> 'UNKNOWN'
        and churned.account_id is not null as is_churned_in_month
    from account_months
    left join monthly_orders
        on
            account_months.account_id = monthly_orders.account_id
            and account_months.month_start = monthly_orders.month_start
    left join active_at_start
        on
            account_months.account_id = active_at_start.account_id
            and account_months.month_start = active_at_start.month_start
    left join churned
        on
            account_months.account_id = churned.account_id
            and account_months.month_start = churned.month_start

)

select * from final
