-- Lifecycle stage moves since last week: accounts per (previous stage, current stage), for
-- the accounts in both the as-of date's state and the earlier state mart_report_comparison
-- picks. Grain: one row per pair of stages with at least one account; empty when there is
-- no earlier state.

with

history as (

    select * from {{ ref('mart_report_account_state_history') }}

),

comparison as (

    select * from {{ ref('mart_report_comparison') }}

),

current_state as (

    select history.*
    from history
    inner join comparison
        on history.as_of_date = comparison.as_of_date

),

previous_state as (

    select history.*
    from history
    inner join comparison
        on history.as_of_date = comparison.previous_as_of_date

),

final as (

    select
        max(current_state.as_of_date) as as_of_date,
        max(previous_state.as_of_date) as previous_as_of_date,
        previous_state.lifecycle_stage_code as lifecycle_stage_code_prev,
        current_state.lifecycle_stage_code,
        {{ marts_int('count(*)') }} as account_count
    from current_state
    inner join previous_state
        on current_state.account_id = previous_state.account_id
    where
        current_state.value_tier_code is not null
        and previous_state.value_tier_code is not null
        and current_state.lifecycle_stage_code is not null
        and previous_state.lifecycle_stage_code is not null
    group by previous_state.lifecycle_stage_code, current_state.lifecycle_stage_code

)

select * from final
