-- One row per service ticket, with its first-response and resolution times in hours.

with

tickets as (
    select * from {{ ref('stg_feedback__tickets') }}
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

select * from final
