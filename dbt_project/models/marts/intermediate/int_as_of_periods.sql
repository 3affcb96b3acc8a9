{#- Rolling months anchored to the as-of date: period 1 = (as_of - 1 month, as_of],
    period k = (as_of - k months, as_of - (k - 1) months]. Enough periods for the RFM
    window, two lifecycle periods and two rolling quarters. -#}
{%- set period_count = [
    var('rfm_window_months') | int, 2 * (var('lifecycle_months') | int), 6
] | max -%}

with

as_of as (

    select * from {{ ref('int_as_of_date') }}

),

period_numbers as (

    {{ marts_number_series(period_count) }}

),

periods as (

    select
        period_numbers.generated_number as period_index,
        cast(
            {{ dbt.dateadd(
                'day', 1,
                dbt.dateadd('month', '-1 * period_numbers.generated_number', 'as_of.as_of_date')
            ) }} as date
        ) as period_start_date,
        cast(
            {{ dbt.dateadd(
                'month', '-1 * (period_numbers.generated_number - 1)', 'as_of.as_of_date'
            ) }} as date
        ) as period_end_date,
        period_numbers.generated_number <= as_of.window_months as is_in_window,
        period_numbers.generated_number <= as_of.lifecycle_months as is_in_lifecycle,
        period_numbers.generated_number > as_of.lifecycle_months
        and period_numbers.generated_number <= 2 * as_of.lifecycle_months
            as is_in_lifecycle_prior,
        -- x of the lifecycle trend: 1 = oldest month of the lifecycle period
        as_of.lifecycle_months - period_numbers.generated_number + 1 as lifecycle_month_number
    from period_numbers
    cross join as_of

),

final as (

    select * from periods

)

select * from final
