-- One row per completed order up to the as-of date, with revenue / cost / margin summed
-- from its completed lines: the single source of every order-based mart metric, so that
-- marts reconcile with fct_order_lines.

with

order_lines as (

    select * from {{ ref('fct_order_lines') }}

),

as_of as (

    select as_of_date from {{ ref('int_as_of_date') }}

),

completed_lines as (

    select
        order_lines.order_id,
        order_lines.order_date,
        order_lines.quantity,
        order_lines.revenue_cny,
        order_lines.cost_cny,
        order_lines.margin_cny,
        coalesce(order_lines.account_id, 'UNKNOWN') as account_id,
        coalesce(order_lines.rep_id, 'UNKNOWN') as rep_id
    from order_lines
    cross join as_of
    where
        order_lines.is_completed
        and order_lines.order_date <= as_of.as_of_date

),

orders as (

    select
        order_id,
        account_id,
        rep_id,
        order_date,
        cast({{ dbt.date_trunc('month', 'order_date') }} as date) as order_month_start,
        count(*) as line_count,
        sum(quantity) as quantity,
        sum(revenue_cny) as revenue_cny,
        sum(cost_cny) as cost_cny,
        sum(margin_cny) as margin_cny
    from completed_lines
    group by order_id, account_id, rep_id, order_date

),

final as (

    select * from orders

)

select * from final
