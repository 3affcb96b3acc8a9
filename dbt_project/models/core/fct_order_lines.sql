-- One row per staged order line, with its order's attributes and its revenue, cost and
-- margin. Revenue metrics use the is_completed lines (cancelled / returned excluded).
-- Incremental by order day (macros/incremental/): a run rebuilds the days of the window
-- and the days of orders whose order or lines were delivered in it.
{{ config(
    materialized='incremental',
    unique_key='order_line_id',
    meta={'business_date': 'order_date'},
    **daily_fact_config('order_month')
) }}
{%- set windowed = incremental_window() is not none %}

with

-- delivered lines, and the order-level lines of orders delivered without lines
all_order_lines as (
    select * from {{ ref('stg_erp__order_lines') }}
    union all
    select * from {{ ref('stg_erp__order_level_lines') }}
),

all_orders as (
    select * from {{ ref('stg_erp__orders') }}
),
{%- if windowed %}

-- days touched by the window: orders dated or delivered in it, and orders with lines
-- delivered in it
changed_days as (
    {{ order_changed_days('all_orders', 'all_order_lines') }}
),
{%- endif %}

orders as (
    select * from all_orders
    {%- if windowed %}
    where {{ in_batch_period('order_date') }}
    {%- endif %}
),

order_lines as (
    select * from all_order_lines
    {%- if windowed %}
    where order_id in (select order_id from orders)
    {%- endif %}
),

products as (
    select * from {{ ref('stg_erp__products') }}
),

priced as (
    select
        order_lines.order_id,
        order_lines.line_no,
        order_lines.product_id,
        orders.account_id,
        orders.rep_id,
        orders.order_date,
        orders.status,
        order_lines.quantity,
        order_lines.unit_price_cny,
        order_lines.discount_pct,
        coalesce(order_lines.unit_cost_cny, products.unit_cost_cny) as unit_cost_cny,
        case
            when order_lines.unit_cost_cny is not null then 'line'
            when products.unit_cost_cny is not null then 'product'
        end as unit_cost_source,
        cast(
            order_lines.quantity * order_lines.unit_price_cny
            * (1 - coalesce(order_lines.discount_pct, 0))
            as decimal(18, 2)
        ) as revenue_cny,
        cast(
            order_lines.quantity * coalesce(order_lines.unit_cost_cny, products.unit_cost_cny)
            as decimal(18, 2)
        ) as cost_cny
    from order_lines
    inner join orders
        on order_lines.order_id = orders.order_id
    left join products
        on order_lines.product_id = products.product_id
),

final as (
    select
        {{ dbt.concat([
            'order_id', "'-'", 'cast(line_no as ' ~ dbt.type_string() ~ ')'
        ]) }} as order_line_id,
        order_id,
        line_no,
        account_id,
        coalesce(rep_id, 'UNKNOWN') as rep_id,
        product_id,
        order_date,
        status,
        status = 'completed' as is_completed,
        quantity,
        unit_price_cny,
        discount_pct,
        unit_cost_cny,
        unit_cost_source,
        revenue_cny,
        cost_cny,
        revenue_cny - cost_cny as margin_cny
    from priced
)

select
    final.*,
    {{ month_of('final.order_date') }} as order_month
from final
