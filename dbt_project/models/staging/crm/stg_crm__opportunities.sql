{{ config(materialized='view') }}

with

base as (
    select * from {{ ref('base_crm__opportunities') }}
    where row_status = 'staged'
),

final as (
    select
        opportunity_id,
        account_id,
        rep_id,
        opportunity_name,
        stage_code,
        amount_cny,
        expected_close_date,
        stage_changed_at,
        lost_reason,
        _source_file,
        _row_number,
        _partition_date
    from base
)

select * from final
