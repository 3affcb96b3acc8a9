{{ config(materialized='view') }}

with

base as (
    select * from {{ ref('base_feedback__tickets') }}
    where row_status = 'staged'
),

final as (
    select
        ticket_id,
        account_id,
        opened_at,
        first_response_at,
        resolved_at,
        severity,
        channel,
        _source_file,
        _row_number,
        _partition_date
    from base
)

select * from final
