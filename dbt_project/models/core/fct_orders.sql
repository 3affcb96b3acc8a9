-- One row per staged order: its lines summed, and the account version (SCD2) valid at the
-- end of the order day, for "as it was then" analyses. Incremental by order day
-- (macros/incremental/): a run rebuilds the days of the window and the days of orders
-- whose order or lines were delivered in it.
{{ config(
    materialized='incremental',
    unique_key='order_id',
    meta={'business_date': 'order_date'},
    **daily_fact_config('order_month')
) }}
{%- set windowed = incremental_window() is not none %}
-- depends_on: {{ ref('stg_erp__order_lines') }}

with

all_orders as (
    select * from {{ ref('stg_erp__orders') }}
),
{%- if windowed %}

-- days touched by the window: orders dated or delivered in it, and orders with lines
-- delivered in it (fct_order_lines already holds those lines)
changed_days as (
    {{ order_changed_days('all_orders', ref('stg_erp__order_lines')) }}
),
{%- endif %}

orders as (
    select * from all_orders
    {%- if windowed %}
    where {{ in_batch_period('order_date') }}
    {%- endif %}
),

order_lines as (
    select * from {{ ref('fct_order_lines') }}
    {%- if windowed %}
    where order_id in (select order_id from orders)
    {%- endif %}
),

account_history as (
    select * from {{ ref('dim_accounts_history') }}
),

line_totals as (
    select
        order_id,
        count(*) as line_count,
        cast(sum(quantity) as decimal(18, 2)) as quantity,
        cast(sum(revenue_cny) as decimal(18, 2)) as revenue_cny,
        cast(sum(cost_cny) as decimal(18, 2)) as cost_cny,
        cast(sum(margin_cny) as decimal(18, 2)) as margin_cny
    from order_lines
    group by order_id
),

-- the instant the order day ends: the account version valid then is the order's
order_days as (
    select
        order_id,
        account_id,
        cast({{ dbt.dateadd('day', 1, 'order_date') }} as {{ dbt.type_timestamp() }})
            as order_day_end
    from orders
),

-- an order older than the account's first CRM version takes that first version (the
-- earliest attributes known)
account_versions as (
    select
        order_days.order_id,
        account_history.account_version_key
    from order_days
    inner join account_history
        on
            order_days.account_id = account_history.account_id
            and (
                order_days.order_day_end > account_history.valid_from
                or account_history.is_first_version
            )
            and (
                account_history.valid_to is null
                or order_days.order_day_end <= account_history.valid_to
            )
),

final as (
    select
        orders.order_id,
        orders.account_id,
        coalesce(orders.rep_id, 'UNKNOWN') as rep_id,
        orders.order_date,
        orders.channel,
        orders.status,
        orders.status = 'completed' as is_completed,
        coalesce(line_totals.line_count, 0) as line_count,
        coalesce(line_totals.quantity, cast(0 as decimal(18, 2))) as quantity,
        coalesce(line_totals.revenue_cny, cast(0 as decimal(18, 2))) as revenue_cny,
        line_totals.cost_cny,
        line_totals.margin_cny,
        coalesce(account_versions.account_version_key, 'UNKNOWN') as account_version_key
    from orders
    left join line_totals
        on orders.order_id = line_totals.order_id
    left join account_versions
        on orders.order_id = account_versions.order_id
)

select
    final.*,
    {{ month_of('final.order_date') }} as order_month
from final
