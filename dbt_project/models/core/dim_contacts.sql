-- One row per CRM contact: its latest version. Personal data (name, phone, e-mail) never
-- reaches this layer: only whether a phone number / e-mail address is on file.

with

contact_versions as (
    select * from {{ ref('stg_crm__contacts') }}
),

ranked as (
    select
        *,
        row_number() over (
            partition by contact_id order by updated_at desc
        ) as recency_rank,
        count(*) over (partition by contact_id) as version_count
    from contact_versions
),

final as (
    select
        contact_id,
        account_id,
        role,
        has_phone,
        has_email,
        contact_hash_key,
        updated_at,
        version_count
    from ranked
    where recency_rank = 1
)

select * from final
