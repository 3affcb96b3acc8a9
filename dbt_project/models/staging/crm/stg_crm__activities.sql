{{ config(materialized='view') }}

with

base as (
    select * from {{ ref('base_crm__activities') }}
    where row_status = 'staged'
),

final as (
    select
        activity_id,
        account_id,
        rep_id,
        activity_type,
        activity_at,
        duration_minutes,
        _source_file,
        _row_number,
        _partition_date
    from base
)

select * from final
