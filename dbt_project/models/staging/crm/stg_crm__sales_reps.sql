{{ config(materialized='view') }}

with

base as (
    select * from {{ ref('base_crm__sales_reps') }}
    where row_status = 'staged'
),

final as (
    select
        rep_id,
        rep_name,
        team,
        region_label,
        region_code,
        is_region_unmapped,
        hire_date,
        is_active,
        _source_file,
        _row_number,
        _partition_date
    from base
)

select * from final
