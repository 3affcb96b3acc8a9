-- One row per calendar day, from a year before the earliest fact date (in practice the
-- first order) to a year after the latest fact date (due dates, expected close dates ...).

with

fact_dates as (
    select
        min(order_date) as min_date,
        max(order_date) as max_date
    from {{ ref('stg_erp__orders') }}
    union all
    select
        min(invoice_date) as min_date,
        max(due_date) as max_date
    from {{ ref('stg_erp__invoices') }}
    union all
    select
        min(payment_date) as min_date,
        max(payment_date) as max_date
    from {{ ref('stg_erp__payments') }}
    union all
    select
        min(cast(stage_changed_at as date)) as min_date,
        max(expected_close_date) as max_date
    from {{ ref('stg_crm__opportunities') }}
    union all
    select
        min(cast(activity_at as date)) as min_date,
        max(cast(activity_at as date)) as max_date
    from {{ ref('stg_crm__activities') }}
    union all
    select
        min(cast(submitted_at as date)) as min_date,
        max(cast(submitted_at as date)) as max_date
    from {{ ref('stg_feedback__surveys') }}
    union all
    select
        min(cast(created_at as date)) as min_date,
        max(cast(created_at as date)) as max_date
    from {{ ref('stg_feedback__complaints') }}
    union all
    select
        min(cast(opened_at as date)) as min_date,
        max(cast(resolved_at as date)) as max_date
    from {{ ref('stg_feedback__tickets') }}
),

bounds as (
    select
        cast({{ dbt.dateadd(
            'year', -1, 'coalesce(min(min_date), ' ~ dbt.current_timestamp() ~ ')'
        ) }} as date) as start_date,
        cast({{ dbt.dateadd(
            'year', 1, 'coalesce(max(max_date), ' ~ dbt.current_timestamp() ~ ')'
        ) }} as date) as end_date
    from fact_dates
),

days as (
    {{ date_series(
        '(select start_date from bounds)', '(select end_date from bounds)'
    ) }}
),

final as (
    select
        date_day,
        cast(extract(year from date_day) as {{ dbt.type_int() }}) as year,
        cast(extract(quarter from date_day) as {{ dbt.type_int() }}) as quarter,
        cast(extract(month from date_day) as {{ dbt.type_int() }}) as month,
        cast(extract(day from date_day) as {{ dbt.type_int() }}) as day_of_month,
        cast({{ dbt.date_trunc('month', 'date_day') }} as date) as month_start,
        cast({{ dbt.date_trunc('quarter', 'date_day') }} as date) as quarter_start,
        cast({{ dbt.date_trunc('year', 'date_day') }} as date) as year_start,
        {{ iso_year('date_day') }} as iso_year,
        {{ iso_week('date_day') }} as iso_week,
        cast({{ dbt.date_trunc('week', 'date_day') }} as date) as week_start,
        {{ iso_day_of_week('date_day') }} as day_of_week,
        {{ iso_day_of_week('date_day') }} in (6, 7) as is_weekend,
        {{ dbt.concat([
            "cast(extract(year from date_day) as " ~ dbt.type_string() ~ ")",
            "'-'",
            "lpad(cast(extract(month from date_day) as " ~ dbt.type_string() ~ "), 2, '0')",
        ]) }} as month_label,
        {{ dbt.concat([
            "cast(extract(year from date_day) as " ~ dbt.type_string() ~ ")",
            "'-Q'",
            "cast(extract(quarter from date_day) as " ~ dbt.type_string() ~ ")",
        ]) }} as quarter_label
    from days
)

select * from final
