-- Lifecycle stage moves since last week: accounts per (previous stage, current stage), for
-- the accounts in both the as-of date's state and the earlier state mart_report_comparison
-- picks. Grain: one row per pair of lifecycle stages (seed lifecycle_stages, all pairs,
-- zero where no account moved so); empty when there is no earlier state.

with

history as (

    select * from {{ ref('mart_report_account_state_history') }}

),

comparison as (

    select * from {{ ref('mart_report_comparison') }}

),

lifecycle_stages as (

    select * from {{ ref('lifecycle_stages') }}

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

moves as (

    select
        previous_state.lifecycle_stage_code as lifecycle_stage_code_prev,
        current_state.lifecycle_stage_code,
        count(*) as account_count
    from current_state
    inner join previous_state
        on current_state.account_id = previous_state.account_id
    where
        current_state.value_tier_code is not null
        and previous_state.value_tier_code is not null
    group by previous_state.lifecycle_stage_code, current_state.lifecycle_stage_code

),

final as (

    select
        comparison.as_of_date,
        comparison.previous_as_of_date,
        previous_stages.lifecycle_stage_code as lifecycle_stage_code_prev,
        previous_stages.sort_order as lifecycle_stage_sort_order_prev,
        current_stages.lifecycle_stage_code,
        current_stages.sort_order as lifecycle_stage_sort_order,
        {{ marts_int('coalesce(moves.account_count, 0)') }} as account_count
    from comparison
    cross join lifecycle_stages as previous_stages
    cross join lifecycle_stages as current_stages
    left join moves
        on
            previous_stages.lifecycle_stage_code = moves.lifecycle_stage_code_prev
            and current_stages.lifecycle_stage_code = moves.lifecycle_stage_code
    where comparison.previous_as_of_date is not null

)

select * from final
