-- One row per customer complaint.

with

complaints as (
    select * from {{ ref('stg_feedback__complaints') }}
),

final as (
    select
        complaint_id,
        account_id,
        created_at,
        cast(created_at as date) as created_date,
        category,
        severity
    from complaints
)

select * from final
