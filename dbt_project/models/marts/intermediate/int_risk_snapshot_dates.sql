{#- The dates at which the risk early warning is evaluated: snapshot 0 is the as-of date
    (the production warning, mart_account_risk), snapshots 1..risk_backtest_snapshots the
    month-ends of the months before the as-of month (the backtest, mart_risk_backtest).
    Each carries the rolling period boundaries the risk features use, computed exactly as
    int_as_of_date computes them for the as-of date. -#}
{%- set snapshot_count = var('risk_backtest_snapshots') | int -%}
{%- set window_months = var('rfm_window_months') | int -%}

with

as_of as (

    select * from {{ ref('int_as_of_date') }}

),

snapshot_numbers as (

    select 0 as generated_number
    {%- if snapshot_count > 0 %}
    union all
    {{ marts_number_series(snapshot_count) }}
    {%- endif %}

),

snapshots as (

    select
        snapshot_numbers.generated_number as snapshot_index,
        as_of.as_of_date,
        case
            when snapshot_numbers.generated_number = 0 then as_of.as_of_date
            else cast({{ dbt.last_day(
                dbt.dateadd('month', '-1 * snapshot_numbers.generated_number', 'as_of.as_of_date'),
                'month'
            ) }} as date)
        end as snapshot_date
    from snapshot_numbers
    cross join as_of

),

final as (

    select
        snapshot_index,
        snapshot_date,
        as_of_date,
        snapshot_index = 0 as is_latest,
        cast(
            {{ dbt.dateadd('day', 1, marts_months_before('snapshot_date', window_months)) }}
            as date
        ) as window_start_date,
        cast(
            {{ dbt.dateadd('day', 1, marts_months_before('snapshot_date', 3)) }} as date
        ) as quarter_start_date,
        cast(
            {{ dbt.dateadd('day', 1, marts_months_before('snapshot_date', 6)) }} as date
        ) as prior_quarter_start_date,
        {{ marts_months_before('snapshot_date', 3) }} as prior_quarter_end_date,
        {{ dbt.datediff('snapshot_date', 'as_of_date', 'day') }} as days_observed_after
    from snapshots

)

select * from final
