{{ config(materialized='view') }}

with

base as (
    select * from {{ ref('base_crm__accounts') }}
    where row_status = 'staged'
),

final as (
    select
        account_id,
        account_name,
        industry_label,
        industry_code,
        is_industry_unmapped,
        province_label,
        province_code,
        is_province_unmapped,
        city,
        employee_count,
        annual_revenue_cny,
        founded_year,
        owner_rep_id,
        created_at,
        updated_at,
        _source_file,
        _row_number,
        _partition_date
    from base
)

select * from final
