-- WARN when no account reaches the VIP or the key tier: the absolute thresholds
-- (tier_vip_min_revenue_cny / tier_key_min_revenue_cny, in CNY) do not fit this company's
-- size or currency, and the key-account review list is empty. Fix: relative tiers
-- (tier_vip_top_account_share / tier_key_top_account_share in dbt_project.yml vars, or
-- `ka-pipeline run --set tier_vip_top_account_share=0.05 --set tier_key_top_account_share=0.2`).
-- Returns each empty tier. Silent when there is no account at all.
{{ config(severity='warn') }}

with

tiers as (

    select distinct value_tier_code from {{ ref('mart_account_tiers') }}

),

key_tiers as (

    select 'vip' as value_tier_code
    union all
    select 'key' as value_tier_code

)

select key_tiers.value_tier_code as empty_tier
from key_tiers
where
    exists (select 1 as found from tiers)
    and not exists (
        select 1 as found from tiers
        where tiers.value_tier_code = key_tiers.value_tier_code
    )
