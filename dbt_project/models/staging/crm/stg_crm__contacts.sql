{{ config(materialized='view') }}

with

base as (
    select * from {{ ref('base_crm__contacts') }}
    where row_status = 'staged'
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
        _source_file,
        _row_number,
        _partition_date
    from base
)

select * from final
