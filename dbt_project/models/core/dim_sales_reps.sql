-- One row per sales rep: the CRM's reps, an inferred member for every rep id that orders,
-- opportunities, activities or account owners name but the CRM export lacks, and UNKNOWN.

with

sales_reps as (
    select * from {{ ref('stg_crm__sales_reps') }}
),

rep_mentions as (
    select distinct rep_id from {{ ref('stg_erp__orders') }}
    union
    select distinct rep_id from {{ ref('stg_crm__opportunities') }}
    union
    select distinct rep_id from {{ ref('stg_crm__activities') }}
    union
    select distinct owner_rep_id as rep_id from {{ ref('stg_crm__accounts') }}
),

known as (
    select
        rep_id,
        rep_name,
        team,
        coalesce(region_code, 'UNKNOWN') as region_code,
        hire_date,
        is_active,
        true as is_in_crm
    from sales_reps
),

inferred as (
    select
        rep_mentions.rep_id,
        {{ dbt.concat(["'未知销售 '", 'rep_mentions.rep_id']) }} as rep_name,
        cast(null as {{ dbt.type_string() }}) as team,
        'UNKNOWN' as region_code,
        cast(null as date) as hire_date,
        cast(null as {{ dbt.type_boolean() }}) as is_active,
        false as is_in_crm
    from rep_mentions
    where
        rep_mentions.rep_id is not null
        and rep_mentions.rep_id <> 'UNKNOWN'
        and rep_mentions.rep_id not in (select known.rep_id from known)
),

unknown_member as (
    select
        'UNKNOWN' as rep_id,
        '未知销售' as rep_name,
        cast(null as {{ dbt.type_string() }}) as team,
        'UNKNOWN' as region_code,
        cast(null as date) as hire_date,
        cast(null as {{ dbt.type_boolean() }}) as is_active,
        false as is_in_crm
),

final as (
    select * from known
    union all
    select * from inferred
    union all
    select * from unknown_member
)

select * from final
