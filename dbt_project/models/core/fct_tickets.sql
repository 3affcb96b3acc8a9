-- One row per service ticket, with its first-response and resolution times in hours.
-- Incremental by opening day (macros/incremental/): a run rebuilds the days of the
-- window and the days of rows delivered in it.
{{ config(
    materialized='incremental',
    unique_key='ticket_id',
    meta={'business_date': 'opened_date'},
    **daily_fact_config('opened_month')
) }}
{%- set windowed = incremental_window() is not none %}

with

all_tickets as (
    select * from {{ ref('stg_feedback__tickets') }}
),
{%- if windowed %}

changed_days as (
    {{ touched_days('all_tickets', 'opened_at') }}
),
{%- endif %}

tickets as (
    select * from all_tickets
    {%- if windowed %}
    where {{ in_batch_period('opened_at') }}
    {%- endif %}
),

final as (
    select
        ticket_id,
        account_id,
        opened_at,
        cast(opened_at as date) as opened_date,
        first_response_at,
        resolved_at,
        severity,
        channel,
        {{ hours_between('opened_at', 'first_response_at') }} as first_response_hours,
        {{ hours_between('opened_at', 'resolved_at') }} as resolution_hours
    from tickets
)

select
    final.*,
    {{ month_of('final.opened_date') }} as opened_month
from final
