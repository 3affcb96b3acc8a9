-- One row per staged order line, with its order's attributes and its revenue, cost and
-- margin. Revenue metrics use the is_completed lines (cancelled / returned excluded).

with

order_lines as (
    select * from {{ ref('stg_erp__order_lines') }}
),

orders as (
    select * from {{ ref('stg_erp__orders') }}
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

select * from final
