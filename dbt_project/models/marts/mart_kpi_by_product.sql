-- Monthly KPIs per product: revenue and volume share, margin, product repurchase rate.
-- Grain: one row per calendar month x product_id with at least one completed order line
-- (up to the as-of date). Shares are of the month's total over all products.

with

order_lines as (

    select * from {{ ref('fct_order_lines') }}

),

products as (

    select * from {{ ref('dim_products') }}

),

as_of as (

    select * from {{ ref('int_as_of_date') }}

),

completed_lines as (

    select
        order_lines.order_id,
        coalesce(order_lines.account_id, 'UNKNOWN') as account_id,
        coalesce(order_lines.product_id, 'UNKNOWN') as product_id,
        order_lines.order_date,
        cast({{ dbt.date_trunc('month', 'order_lines.order_date') }} as date) as month_start,
        order_lines.quantity,
        order_lines.revenue_cny,
        order_lines.cost_cny,
        order_lines.margin_cny
    from order_lines
    cross join as_of
    where
        order_lines.is_completed
        and order_lines.order_date <= as_of.as_of_date

),

account_first_purchases as (

    select
        account_id,
        product_id,
        min(month_start) as first_month_start
    from completed_lines
    where account_id <> 'UNKNOWN'
    group by account_id, product_id

),

account_product_months as (

    select distinct
        completed_lines.account_id,
        completed_lines.product_id,
        completed_lines.month_start,
        account_first_purchases.first_month_start < completed_lines.month_start
            as is_repeat_buyer
    from completed_lines
    inner join account_first_purchases
        on
            completed_lines.account_id = account_first_purchases.account_id
            and completed_lines.product_id = account_first_purchases.product_id

),

buyer_facts as (

    select
        product_id,
        month_start,
        count(*) as buying_account_count,
        sum(case when is_repeat_buyer then 1 else 0 end) as repeat_buyer_count
    from account_product_months
    group by product_id, month_start

),

line_facts as (

    select
        product_id,
        month_start,
        sum(revenue_cny) as revenue_cny,
        sum(cost_cny) as cost_cny,
        sum(margin_cny) as margin_cny,
        sum(quantity) as quantity,
        count(distinct order_id) as order_count
    from completed_lines
    group by product_id, month_start

),

with_totals as (

    select
        *,
        sum(revenue_cny) over (partition by month_start) as month_revenue_cny,
        sum(quantity) over (partition by month_start) as month_quantity
    from line_facts

),

final as (

    select
        with_totals.month_start,
        as_of.as_of_date,
        cast({{ dbt.dateadd('month', 1, 'with_totals.month_start') }} as date)
        <= cast({{ dbt.dateadd('day', 1, 'as_of.as_of_date') }} as date) as is_complete_month,
        with_totals.product_id,
        coalesce(products.product_name, with_totals.product_id) as product_name,
        coalesce(products.category, 'UNKNOWN') as category,
        coalesce(products.product_line, 'UNKNOWN') as product_line,
        {{ marts_money('with_totals.revenue_cny') }} as revenue_cny,
        {{ marts_money('with_totals.cost_cny') }} as cost_cny,
        {{ marts_money('with_totals.margin_cny') }} as margin_cny,
        {{ marts_rate(marts_safe_divide('with_totals.margin_cny', 'with_totals.revenue_cny')) }}
            as gross_margin_pct,
        cast(with_totals.quantity as decimal(18, 2)) as quantity,
        {{ marts_int('with_totals.order_count') }} as order_count,
        {{ marts_int('coalesce(buyer_facts.buying_account_count, 0)') }} as buying_account_count,
        {{ marts_int('coalesce(buyer_facts.repeat_buyer_count, 0)') }} as repeat_buyer_count,
        {{ marts_rate(marts_safe_divide(
            'buyer_facts.repeat_buyer_count', 'buyer_facts.buying_account_count'
        )) }} as product_repurchase_rate,
        {{ marts_rate(marts_safe_divide(
            'with_totals.revenue_cny', 'with_totals.month_revenue_cny'
        )) }} as revenue_share,
        {{ marts_rate(marts_safe_divide(
            'with_totals.quantity', 'with_totals.month_quantity'
        )) }} as volume_share
    from with_totals
    cross join as_of
    left join buyer_facts
        on
            with_totals.product_id = buyer_facts.product_id
            and with_totals.month_start = buyer_facts.month_start
    left join products
        on with_totals.product_id = products.product_id

)

select * from final
