{#- The as-of date of every mart, resolved once. var('as_of_date') when set, else the latest
    complete business day: the day before the newest order date (the newest day may still
    be loading). Also the period boundaries derived from it, so every model uses the same. -#}
{%- set as_of_var = var('as_of_date', none) -%}
{%- set as_of_is_set = as_of_var is not none
    and as_of_var | string | trim | lower not in ['', 'none', 'null'] -%}
{%- set window_months = var('rfm_window_months') | int -%}
{%- set lifecycle_months = var('lifecycle_months') | int -%}

with

orders as (

    select order_date from {{ ref('fct_orders') }}

),

newest_order as (

    select max(order_date) as newest_order_date
    from orders

),

resolved as (

    select
        newest_order_date,
        {%- if as_of_is_set %}
        cast('{{ as_of_var }}' as date) as as_of_date,
        'var' as as_of_date_source
        {%- else %}
        cast({{ dbt.dateadd('day', -1, 'newest_order_date') }} as date) as as_of_date,
        'latest_complete_day' as as_of_date_source
        {%- endif %}
    from newest_order

),

final as (

    select
        as_of_date,
        as_of_date_source,
        newest_order_date,
        cast({{ dbt.date_trunc('month', 'as_of_date') }} as date) as as_of_month_start,
        {{ window_months }} as window_months,
        cast(
            {{ dbt.dateadd('day', 1, marts_months_before('as_of_date', window_months)) }} as date
        ) as window_start_date,
        cast(
            {{ dbt.dateadd('day', 1, marts_months_before('as_of_date', 3)) }} as date
        ) as quarter_start_date,
        cast(
            {{ dbt.dateadd('day', 1, marts_months_before('as_of_date', 6)) }} as date
        ) as prior_quarter_start_date,
        {{ marts_months_before('as_of_date', 3) }} as prior_quarter_end_date,
        {{ lifecycle_months }} as lifecycle_months,
        cast(
            {{ dbt.dateadd('day', 1, marts_months_before('as_of_date', lifecycle_months)) }}
            as date
        ) as lifecycle_start_date,
        cast(
            {{ dbt.dateadd('day', 1, marts_months_before('as_of_date', 2 * lifecycle_months)) }}
            as date
        ) as lifecycle_prior_start_date
    from resolved

)

select * from final
