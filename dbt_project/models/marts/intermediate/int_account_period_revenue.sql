-- One row per account x rolling month (int_as_of_periods) for every account with a completed
-- order up to the as-of date (the UNKNOWN member excluded): orders and revenue of that
-- month, and whether the account had bought before the month started (repeat purchase).

with

orders as (

    select * from {{ ref('int_completed_orders') }}
    where account_id <> 'UNKNOWN'

),

periods as (

    select * from {{ ref('int_as_of_periods') }}

),

account_first_orders as (

    select
        account_id,
        min(order_date) as first_order_date
    from orders
    group by account_id

),

account_periods as (

    select
        account_first_orders.account_id,
        account_first_orders.first_order_date,
        periods.period_index,
        periods.period_start_date,
        periods.period_end_date,
        periods.is_in_window,
        periods.is_in_lifecycle,
        periods.is_in_lifecycle_prior,
        periods.lifecycle_month_number
    from account_first_orders
    cross join periods

),

period_orders as (

    select
        account_periods.account_id,
        account_periods.period_index,
        count(orders.order_id) as order_count,
        coalesce(sum(orders.revenue_cny), 0) as revenue_cny,
        coalesce(sum(orders.margin_cny), 0) as margin_cny
    from account_periods
    left join orders
        on
            account_periods.account_id = orders.account_id
            and account_periods.period_start_date <= orders.order_date
            and account_periods.period_end_date >= orders.order_date
    group by account_periods.account_id, account_periods.period_index

),

final as (

    select
        account_periods.account_id,
        account_periods.period_index,
        account_periods.period_start_date,
        account_periods.period_end_date,
        account_periods.is_in_window,
        account_periods.is_in_lifecycle,
        account_periods.is_in_lifecycle_prior,
        account_periods.lifecycle_month_number,
        period_orders.order_count,
        period_orders.revenue_cny,
        period_orders.margin_cny,
        period_orders.order_count > 0
        and account_periods.first_order_date < account_periods.period_start_date
            as is_repeat_purchase_period
    from account_periods
    inner join period_orders
        on
            account_periods.account_id = period_orders.account_id
            and account_periods.period_index = period_orders.period_index

)

select * from final
