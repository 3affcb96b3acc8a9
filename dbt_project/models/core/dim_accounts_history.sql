-- SCD type 2 of the CRM accounts, derived from the delivered change rows: each staged
-- version (account_id, updated_at) is a row valid from its updated_at until the next
-- version's. Rebuilt from raw on every run, so backfills and re-sends give the same history.

with

account_versions as (
    select * from {{ ref('stg_crm__accounts') }}
),

industries as (
    select * from {{ ref('industries') }}
),

provinces as (
    select * from {{ ref('provinces') }}
),

employee_bands as (
    select * from {{ ref('employee_bands') }}
),

revenue_bands as (
    select * from {{ ref('revenue_bands') }}
),

versioned as (
    select
        *,
        lead(updated_at) over (
            partition by account_id order by updated_at
        ) as next_updated_at,
        row_number() over (
            partition by account_id order by updated_at
        ) as version_number
    from account_versions
),

enriched as (
    select
        {{ hash_key(['versioned.account_id', 'versioned.updated_at']) }} as account_version_key,
        versioned.account_id,
        versioned.version_number,
        versioned.account_name,
        coalesce(versioned.industry_code, 'other') as industry_code,
        industries.industry_name_zh,
        industries.industry_name_en,
        versioned.is_industry_unmapped,
        versioned.province_code,
        provinces.province_name_zh,
        versioned.is_province_unmapped,
        versioned.city,
        coalesce(provinces.region_code, 'UNKNOWN') as region_code,
        versioned.employee_count,
        employee_bands.employee_band_code,
        versioned.annual_revenue_cny,
        revenue_bands.revenue_band_code,
        versioned.founded_year,
        coalesce(versioned.owner_rep_id, 'UNKNOWN') as owner_rep_id,
        versioned.created_at,
        versioned.updated_at as valid_from,
        versioned.next_updated_at as valid_to,
        versioned.next_updated_at is null as is_current,
        versioned.version_number = 1 as is_first_version
    from versioned
    left join industries
        on coalesce(versioned.industry_code, 'other') = industries.industry_code
    left join provinces
        on versioned.province_code = provinces.province_code
    left join employee_bands
        on
            versioned.employee_count >= employee_bands.min_employees
            and (
                employee_bands.max_employees is null
                or versioned.employee_count < employee_bands.max_employees
            )
    left join revenue_bands
        on
            versioned.annual_revenue_cny >= revenue_bands.min_revenue_cny
            and (
                revenue_bands.max_revenue_cny is null
                or versioned.annual_revenue_cny < revenue_bands.max_revenue_cny
            )
),

unknown_member as (
    select
        'UNKNOWN' as account_version_key,
        'UNKNOWN' as account_id,
        cast(1 as {{ dbt.type_bigint() }}) as version_number,
        '未知客户' as account_name,
        'other' as industry_code,
        industries.industry_name_zh,
        industries.industry_name_en,
        false as is_industry_unmapped,
        cast(null as {{ dbt.type_string() }}) as province_code,
        cast(null as {{ dbt.type_string() }}) as province_name_zh,
        false as is_province_unmapped,
        cast(null as {{ dbt.type_string() }}) as city,
        'UNKNOWN' as region_code,
        cast(null as {{ dbt.type_bigint() }}) as employee_count,
        cast(null as {{ dbt.type_string() }}) as employee_band_code,
        cast(null as decimal(18, 2)) as annual_revenue_cny,
        cast(null as {{ dbt.type_string() }}) as revenue_band_code,
        cast(null as {{ dbt.type_int() }}) as founded_year,
        'UNKNOWN' as owner_rep_id,
        cast(null as {{ dbt.type_timestamp() }}) as created_at,
        cast('1900-01-01 00:00:00' as {{ dbt.type_timestamp() }}) as valid_from,
        cast(null as {{ dbt.type_timestamp() }}) as valid_to,
        true as is_current,
        true as is_first_version
    from industries
    where industries.industry_code = 'other'
),

final as (
    select * from enriched
    union all
    select * from unknown_member
)

select * from final
