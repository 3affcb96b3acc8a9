-- One row per account of dim_accounts (incl. the UNKNOWN member and inferred accounts): its
-- attributes as of the as-of date (the dim_accounts_history version valid at the end of
-- that day, else the current row), with the names the marts display. Marts slice accounts
-- by these attributes, so history is restated when an account moves (documented).

with

accounts as (

    select * from {{ ref('dim_accounts') }}

),

account_history as (

    select * from {{ ref('dim_accounts_history') }}

),

sales_reps as (

    select * from {{ ref('dim_sales_reps') }}

),

regions as (

    select * from {{ ref('dim_region') }}

),

revenue_bands as (

    select * from {{ ref('revenue_bands') }}

),

employee_bands as (

    select * from {{ ref('employee_bands') }}

),

as_of as (

    select as_of_date from {{ ref('int_as_of_date') }}

),

versions_valid_at_as_of as (

    select
        account_history.*,
        row_number() over (
            partition by account_history.account_id
            order by account_history.valid_from desc, account_history.account_version_key desc
        ) as version_rank
    from account_history
    cross join as_of
    where
        cast(account_history.valid_from as date) <= as_of.as_of_date
        and (
            account_history.valid_to is null
            or cast(account_history.valid_to as date) > as_of.as_of_date
        )

),

version_at_as_of as (

    select * from versions_valid_at_as_of
    where version_rank = 1

),

attributes as (

    select
        accounts.account_id,
        accounts.is_in_crm,
        coalesce(version_at_as_of.account_name, accounts.account_name) as account_name,
        coalesce(
            version_at_as_of.industry_code, accounts.industry_code, 'UNKNOWN'
        ) as industry_code,
        coalesce(
            version_at_as_of.industry_name_zh, accounts.industry_name_zh, '未知'
        ) as industry_name_zh,
        coalesce(
            version_at_as_of.industry_name_en, accounts.industry_name_en, 'Unknown'
        ) as industry_name_en,
        coalesce(
            version_at_as_of.province_code, accounts.province_code, 'UNKNOWN'
        ) as province_code,
        coalesce(version_at_as_of.region_code, accounts.region_code, 'UNKNOWN') as region_code,
        coalesce(
            version_at_as_of.employee_band_code, accounts.employee_band_code, 'UNKNOWN'
        ) as employee_band_code,
        coalesce(
            version_at_as_of.revenue_band_code, accounts.revenue_band_code, 'UNKNOWN'
        ) as revenue_band_code,
        coalesce(
            version_at_as_of.owner_rep_id, accounts.owner_rep_id, 'UNKNOWN'
        ) as owner_rep_id
    from accounts
    left join version_at_as_of
        on accounts.account_id = version_at_as_of.account_id

),

final as (

    select
        attributes.account_id,
        attributes.account_name,
        attributes.is_in_crm,
        attributes.industry_code,
        attributes.industry_name_zh,
        attributes.industry_name_en,
        attributes.province_code,
        attributes.region_code,
        attributes.revenue_band_code,
        attributes.employee_band_code,
        attributes.owner_rep_id,
        coalesce(regions.region_name_zh, '未知') as region_name_zh,
        coalesce(regions.region_name_en, 'Unknown') as region_name_en,
        coalesce(revenue_bands.revenue_band_zh, '未知') as revenue_band_name_zh,
        coalesce(revenue_bands.revenue_band_en, 'Unknown') as revenue_band_name_en,
        coalesce(employee_bands.employee_band_zh, '未知') as employee_band_name_zh,
        coalesce(employee_bands.employee_band_en, 'Unknown') as employee_band_name_en,
        coalesce(sales_reps.rep_name, 'UNKNOWN') as owner_rep_name,
        coalesce(sales_reps.team, 'UNKNOWN') as owner_rep_team
    from attributes
    left join regions
        on attributes.region_code = regions.region_code
    left join revenue_bands
        on attributes.revenue_band_code = revenue_bands.revenue_band_code
    left join employee_bands
        on attributes.employee_band_code = employee_bands.employee_band_code
    left join sales_reps
        on attributes.owner_rep_id = sales_reps.rep_id

)

select * from final
