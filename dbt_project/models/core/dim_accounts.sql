-- One row per account: the current CRM version of every account the CRM delivered, an
-- inferred member for every account id other sources name but the CRM never delivered,
-- and the UNKNOWN member.

with

account_history as (
    select * from {{ ref('dim_accounts_history') }}
),

observed as (
    select * from {{ ref('int_accounts_observed') }}
),

industries as (
    select * from {{ ref('industries') }}
),

current_versions as (
    select
        account_history.account_id,
        account_history.account_version_key,
        account_history.account_name,
        account_history.industry_code,
        account_history.industry_name_zh,
        account_history.industry_name_en,
        account_history.province_code,
        account_history.province_name_zh,
        account_history.city,
        account_history.region_code,
        account_history.employee_count,
        account_history.employee_band_code,
        account_history.annual_revenue_cny,
        account_history.revenue_band_code,
        account_history.founded_year,
        account_history.owner_rep_id,
        account_history.created_at,
        account_history.valid_from,
        account_history.version_number as version_count,
        observed.first_seen_date,
        true as is_in_crm
    from account_history
    left join observed
        on account_history.account_id = observed.account_id
    where account_history.is_current and account_history.account_id <> 'UNKNOWN'
),

inferred as (
    select
        observed.account_id,
        'UNKNOWN' as account_version_key,
        {{ dbt.concat(["'未知客户 '", 'observed.account_id']) }} as account_name,
        'other' as industry_code,
        industries.industry_name_zh,
        industries.industry_name_en,
        cast(null as {{ dbt.type_string() }}) as province_code,
        cast(null as {{ dbt.type_string() }}) as province_name_zh,
        cast(null as {{ dbt.type_string() }}) as city,
        'UNKNOWN' as region_code,
        cast(null as {{ dbt.type_bigint() }}) as employee_count,
        cast(null as {{ dbt.type_string() }}) as employee_band_code,
        cast(null as decimal(18, 2)) as annual_revenue_cny,
        cast(null as {{ dbt.type_string() }}) as revenue_band_code,
        cast(null as {{ dbt.type_int() }}) as founded_year,
        'UNKNOWN' as owner_rep_id,
        cast(null as {{ dbt.type_timestamp() }}) as created_at,
        cast(null as {{ dbt.type_timestamp() }}) as valid_from,
        cast(0 as {{ dbt.type_bigint() }}) as version_count,
        observed.first_seen_date,
        false as is_in_crm
    from observed
    inner join industries
        on industries.industry_code = 'other'
    where
        observed.account_id not in (
            select current_versions.account_id from current_versions
        )
        and observed.account_id <> 'UNKNOWN'
),

unknown_member as (
    select
        account_id,
        account_version_key,
        account_name,
        industry_code,
        industry_name_zh,
        industry_name_en,
        province_code,
        province_name_zh,
        city,
        region_code,
        employee_count,
        employee_band_code,
        annual_revenue_cny,
        revenue_band_code,
        founded_year,
        owner_rep_id,
        created_at,
        valid_from,
        cast(0 as {{ dbt.type_bigint() }}) as version_count,
        cast(null as date) as first_seen_date,
        false as is_in_crm
    from account_history
    where account_id = 'UNKNOWN'
),

final as (
    select * from current_versions
    union all
    select * from inferred
    union all
    select * from unknown_member
)

select * from final
