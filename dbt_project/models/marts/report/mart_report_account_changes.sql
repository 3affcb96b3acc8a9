-- What changed since last week, per account: the as-of date's account state against the
-- earlier state mart_report_comparison picks (the previous week's), both from
-- mart_report_account_state_history. Grain: one row per change_type x account_id.
-- Change types:
--   new_key_account      key account now, not (or not yet an account) before;
--   dropped_key_account  the reverse;
--   tier_move            in both states with another value tier (direction by the
--                        seed's sort order: a lower sort_order is up);
--   newly_at_risk        a risk level with is_at_risk now, not before (seed risk_levels);
--   recovered            the reverse.
-- change_rank orders each type: by window revenue (newly_at_risk: by risk score), highest
-- first, then account_id. Empty when there is no earlier state.

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

joined as (

    select
        coalesce(current_state.account_id, previous_state.account_id) as account_id,
        coalesce(current_state.account_name, previous_state.account_name) as account_name,
        coalesce(current_state.owner_rep_name, previous_state.owner_rep_name)
            as owner_rep_name,
        current_state.value_tier_code,
        previous_state.value_tier_code as value_tier_code_prev,
        current_state.value_tier_sort_order,
        previous_state.value_tier_sort_order as value_tier_sort_order_prev,
        coalesce(current_state.is_key_account, false) as is_key_account,
        coalesce(previous_state.is_key_account, false) as was_key_account,
        coalesce(current_state.risk_level_code, 'none') as risk_level_code,
        coalesce(previous_state.risk_level_code, 'none') as risk_level_code_prev,
        coalesce(current_state.is_at_risk, false) as is_at_risk,
        coalesce(previous_state.is_at_risk, false) as was_at_risk,
        current_state.risk_score,
        previous_state.risk_score as risk_score_prev,
        current_state.window_revenue_cny,
        previous_state.window_revenue_cny as window_revenue_cny_prev,
        current_state.value_tier_code is not null
        and previous_state.value_tier_code is not null as is_in_both
    from current_state
    full outer join previous_state
        on current_state.account_id = previous_state.account_id

),

changes as (

    select
        'new_key_account' as change_type,
        *
    from joined
    where is_key_account and not was_key_account
    union all
    select
        'dropped_key_account' as change_type,
        *
    from joined
    where not is_key_account and was_key_account
    union all
    select
        'tier_move' as change_type,
        *
    from joined
    where is_in_both and value_tier_code != value_tier_code_prev
    union all
    select
        'newly_at_risk' as change_type,
        *
    from joined
    where is_at_risk and not was_at_risk
    union all
    select
        'recovered' as change_type,
        *
    from joined
    where not is_at_risk and was_at_risk

),

final as (

    select
        comparison.as_of_date,
        comparison.previous_as_of_date,
        changes.change_type,
        changes.account_id,
        changes.account_name,
        changes.owner_rep_name,
        changes.value_tier_code,
        changes.value_tier_code_prev,
        case
            when changes.change_type != 'tier_move' then null
            when
                coalesce(changes.value_tier_sort_order, 9)
                < coalesce(changes.value_tier_sort_order_prev, 9)
                then 'up'
            else 'down'
        end as tier_move_direction,
        changes.risk_level_code,
        changes.risk_level_code_prev,
        changes.risk_score,
        changes.window_revenue_cny,
        {{ marts_int(
            'row_number() over (partition by changes.change_type order by '
            ~ "case when changes.change_type = 'newly_at_risk' "
            ~ 'then coalesce(changes.risk_score, changes.risk_score_prev, 0) '
            ~ 'else coalesce(changes.window_revenue_cny, changes.window_revenue_cny_prev, 0) '
            ~ 'end desc, changes.account_id)'
        ) }} as change_rank
    from changes
    cross join comparison
    where comparison.previous_as_of_date is not null

)

select * from final
