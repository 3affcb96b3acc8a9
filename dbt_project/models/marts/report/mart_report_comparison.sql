-- Which earlier account state the weekly report's "what changed since last week" compares
-- with: the newest as-of date in mart_report_account_state_history at least 7 days before
-- the as-of date (the previous week's). Grain: one row per as-of date;
-- previous_as_of_date is null when there is no such state (the first report).

with

history as (

    select * from {{ ref('mart_report_account_state_history') }}

),

as_of as (

    select * from {{ ref('int_as_of_date') }}

),

final as (

    select
        as_of.as_of_date,
        max(history.as_of_date) as previous_as_of_date
    from as_of
    left join history
        on history.as_of_date <= cast({{ dbt.dateadd('day', -7, 'as_of.as_of_date') }} as date)
    group by as_of.as_of_date

)

select * from final
