-- Every as-of date's mart_report_account_state, kept across builds (also across
-- --full-refresh: full_refresh=false), so the weekly report's "what changed since last
-- week" compares two states inside the warehouse. Grain: one row per as-of date x account.
-- A rebuild for an as-of date replaces that date's rows.

{{ config(
    materialized='incremental',
    full_refresh=false,
    on_schema_change='fail',
    **as_of_history_config()
) }}

with

account_state as (

    select * from {{ ref('mart_report_account_state') }}

),

final as (

    select
        as_of_date,
        account_id,
        account_name,
        owner_rep_name,
        value_tier_code,
        value_tier_sort_order,
        is_key_account,
        abc_class,
        risk_level_code,
        is_at_risk,
        risk_score,
        lifecycle_stage_code,
        window_revenue_cny
    from account_state

)

select * from final
