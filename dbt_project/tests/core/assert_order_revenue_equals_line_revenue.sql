-- fct_orders sums its lines and no staged line is lost on the way to the facts: the line
-- counts and the revenue totals of stg_erp__order_lines, fct_order_lines and fct_orders
-- agree (totals, not per order: a cheap check on 10M+ lines that still catches a fan-out
-- or a dropped line).

with

-- delivered lines and the order-level lines of orders delivered without lines
staged_lines as (
    select count(*) as line_count
    from (
        select order_id from {{ ref('stg_erp__order_lines') }}
        union all
        select order_id from {{ ref('stg_erp__order_level_lines') }}
    ) as lines
),

fact_lines as (
    select
        count(*) as line_count,
        coalesce(sum(revenue_cny), 0) as revenue_cny
    from {{ ref('fct_order_lines') }}
),

fact_orders as (
    select
        coalesce(sum(line_count), 0) as line_count,
        coalesce(sum(revenue_cny), 0) as revenue_cny
    from {{ ref('fct_orders') }}
),

compared as (
    select
        staged_lines.line_count as staged_line_count,
        fact_lines.line_count as fact_line_count,
        fact_orders.line_count as order_line_count,
        fact_lines.revenue_cny as line_revenue_cny,
        fact_orders.revenue_cny as order_revenue_cny
    from staged_lines
    cross join fact_lines
    cross join fact_orders
)

select * from compared
where
    staged_line_count <> fact_line_count
    or fact_line_count <> order_line_count
    or line_revenue_cny <> order_revenue_cny
