{{ config(materialized='view') }}

with

base as (
    select * from {{ ref('base_feedback__complaints') }}
    where row_status = 'staged'
),

final as (
    select
        complaint_id,
        account_id,
        created_at,
        category,
        severity,
        description,
        _source_file,
        _row_number,
        _partition_date
    from base
)

select * from final
