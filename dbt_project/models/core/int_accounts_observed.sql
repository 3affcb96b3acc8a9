{{ config(materialized='ephemeral') }}

-- Every account id any source mentions, with the first day it was seen anywhere. Orders,
-- invoices, feedback ... may name accounts the CRM never delivered: they become inferred
-- members of dim_accounts instead of being dropped.

with

mentions as (
    select
        account_id,
        min(cast(created_at as date)) as first_date
    from {{ ref('stg_crm__accounts') }}
    group by account_id
    union all
    select
        account_id,
        min(cast(updated_at as date)) as first_date
    from {{ ref('stg_crm__accounts') }}
    group by account_id
    union all
    select
        account_id,
        min(cast(updated_at as date)) as first_date
    from {{ ref('stg_crm__contacts') }}
    group by account_id
    union all
    select
        account_id,
        min(cast(stage_changed_at as date)) as first_date
    from {{ ref('stg_crm__opportunities') }}
    where account_id is not null
    group by account_id
    union all
    select
        account_id,
        min(cast(activity_at as date)) as first_date
    from {{ ref('stg_crm__activities') }}
    group by account_id
    union all
    select
        account_id,
        min(order_date) as first_date
    from {{ ref('stg_erp__orders') }}
    group by account_id
    union all
    select
        account_id,
        min(invoice_date) as first_date
    from {{ ref('stg_erp__invoices') }}
    group by account_id
    union all
    select
        account_id,
        min(cast(submitted_at as date)) as first_date
    from {{ ref('stg_feedback__surveys') }}
    group by account_id
    union all
    select
        account_id,
        min(cast(created_at as date)) as first_date
    from {{ ref('stg_feedback__complaints') }}
    group by account_id
    union all
    select
        account_id,
        min(cast(opened_at as date)) as first_date
    from {{ ref('stg_feedback__tickets') }}
    group by account_id
),

final as (
    select
        account_id,
        min(first_date) as first_seen_date
    from mentions
    group by account_id
)

select * from final
