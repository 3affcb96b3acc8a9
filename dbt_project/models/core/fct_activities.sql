-- One row per sales activity: visits, calls, e-mails and events.

with

activities as (
    select * from {{ ref('stg_crm__activities') }}
),

final as (
    select
        activity_id,
        account_id,
        coalesce(rep_id, 'UNKNOWN') as rep_id,
        activity_type,
        activity_at,
        cast(activity_at as date) as activity_date,
        duration_minutes
    from activities
)

select * from final
