-- Backtest of the risk early warning (风险预警回测). The rule (int_account_risk_snapshots,
-- the same definition as mart_account_risk) evaluated at past snapshot dates, scored against
-- what happened next: churned = no completed order in the horizon_days after the snapshot.
-- Population: accounts with a completed order by the snapshot date that were not already
-- lost (win-back list) then; only snapshots whose horizon ended by the as-of date.
-- Grain: one row per scope (each snapshot, and 'overall' = all snapshots pooled) x horizon
-- x group (a risk level, high + medium, each signal, and 'all' = the population).

{#- parse renders a default: a bad value must reach validate_parameters' message -#}
{%- set horizons = var('risk_backtest_horizon_days') if execute else [90] %}
{%- set signal_codes = risk_signal_codes() %}
{%- set level_groups = {
    'high': "risk_level_code = 'high'",
    'medium': "risk_level_code = 'medium'",
    'high_or_medium': "risk_level_code in ('high', 'medium')",
    'low': "risk_level_code = 'low'",
} %}

with

snapshots as (

    select * from {{ ref('int_account_risk_snapshots') }}

),

snapshot_dates as (

    select * from {{ ref('int_risk_snapshot_dates') }}

),

as_of as (

    select as_of_date from {{ ref('int_as_of_date') }}

),

horizons as (

    {%- for horizon in horizons %}
    select {{ horizon | int }} as horizon_days
    {{- ' union all' if not loop.last }}
    {%- endfor %}

),

evaluated as (

    select
        snapshots.snapshot_date,
        snapshot_dates.snapshot_index,
        horizons.horizon_days,
        snapshots.account_id,
        snapshots.risk_score,
        snapshots.risk_level_code,
        snapshots.days_since_last_order,
        {%- for code in signal_codes %}
        snapshots.has_{{ code }},
        {%- endfor %}
        case
            when snapshots.next_order_date is null then 1
            when
                snapshots.next_order_date
                > {{ dbt.dateadd('day', 'horizons.horizon_days', 'snapshots.snapshot_date') }}
                then 1
            else 0
        end as is_churned
    from snapshots
    inner join snapshot_dates
        on snapshots.snapshot_date = snapshot_dates.snapshot_date
    cross join horizons
    where
        not snapshots.is_win_back
        and snapshot_dates.snapshot_index > 0
        and snapshot_dates.days_observed_after >= horizons.horizon_days

),

-- every evaluated row once per snapshot and once in the pooled 'overall' scope
scoped as (

    select
        'snapshot' as scope,
        cast(snapshot_date as {{ dbt.type_string() }}) as scope_key,
        snapshot_date,
        snapshot_index,
        horizon_days,
        account_id,
        risk_score,
        risk_level_code,
        days_since_last_order,
        {%- for code in signal_codes %}
        has_{{ code }},
        {%- endfor %}
        is_churned
    from evaluated

    union all

    select
        'overall' as scope,
        'overall' as scope_key,
        cast(null as date) as snapshot_date,
        cast(null as {{ dbt.type_int() }}) as snapshot_index,
        horizon_days,
        account_id,
        risk_score,
        risk_level_code,
        days_since_last_order,
        {%- for code in signal_codes %}
        has_{{ code }},
        {%- endfor %}
        is_churned
    from evaluated

),

groups as (

    select
        'all' as group_type,
        'all' as group_code,
        0 as group_sort_order
    {%- for code in level_groups %}
    union all
    select
        'level' as group_type,
        '{{ code }}' as group_code,
        {{ loop.index }} as group_sort_order
    {%- endfor %}
    {%- for code in signal_codes %}
    union all
    select
        'signal' as group_type,
        '{{ code }}' as group_code,
        {{ 10 + loop.index }} as group_sort_order
    {%- endfor %}

),

flagged as (

    select
        scoped.scope,
        scoped.scope_key,
        scoped.snapshot_date,
        scoped.snapshot_index,
        scoped.horizon_days,
        groups.group_type,
        groups.group_code,
        groups.group_sort_order,
        scoped.is_churned,
        case
            when groups.group_code = 'all' then 1
            {%- for code, condition in level_groups.items() %}
            when groups.group_code = '{{ code }}' and scoped.{{ condition }} then 1
            {%- endfor %}
            {%- for code in signal_codes %}
            when groups.group_code = '{{ code }}' and scoped.has_{{ code }} then 1
            {%- endfor %}
            else 0
        end as is_flagged,
        -- the comparison group: for levels the accounts not flagged high or medium, for a
        -- signal the accounts it does not fire on
        case
            when groups.group_type = 'level'
                then case when scoped.risk_level_code in ('high', 'medium') then 0 else 1 end
            {%- for code in signal_codes %}
            when groups.group_code = '{{ code }}' and not scoped.has_{{ code }} then 1
            {%- endfor %}
            else 0
        end as is_reference
    from scoped
    cross join groups

),

counts as (

    select
        scope,
        scope_key,
        snapshot_date,
        snapshot_index,
        horizon_days,
        group_type,
        group_code,
        group_sort_order,
        count(*) as evaluated_account_count,
        sum(is_churned) as churned_account_count,
        sum(is_flagged) as flagged_account_count,
        sum(is_flagged * is_churned) as flagged_churned_count,
        sum(is_reference) as reference_account_count,
        sum(is_reference * is_churned) as reference_churned_count
    from flagged
    group by
        scope, scope_key, snapshot_date, snapshot_index, horizon_days,
        group_type, group_code, group_sort_order

),

-- AUC by the rank-sum (Mann-Whitney) formula, ties at their mid-rank:
-- (sum of the churned accounts' ranks - n1 (n1 + 1) / 2) / (n1 n0)
ranked as (

    select
        scope_key,
        horizon_days,
        is_churned,
        rank() over (partition by scope_key, horizon_days order by risk_score)
        + (count(*) over (partition by scope_key, horizon_days, risk_score) - 1) / 2.0
            as score_rank,
        rank() over (partition by scope_key, horizon_days order by days_since_last_order)
        + (count(*) over (partition by scope_key, horizon_days, days_since_last_order) - 1)
        / 2.0 as recency_rank
    from scoped

),

auc as (

    select
        scope_key,
        horizon_days,
        {{ marts_safe_divide(
            'sum(case when is_churned = 1 then score_rank else 0 end)'
            ~ ' - sum(is_churned) * (sum(is_churned) + 1) / 2.0',
            'sum(is_churned) * (count(*) - sum(is_churned))'
        ) }} as auc_risk_score,
        {{ marts_safe_divide(
            'sum(case when is_churned = 1 then recency_rank else 0 end)'
            ~ ' - sum(is_churned) * (sum(is_churned) + 1) / 2.0',
            'sum(is_churned) * (count(*) - sum(is_churned))'
        ) }} as auc_days_since_last_order
    from ranked
    group by scope_key, horizon_days

),

final as (

    select
        {{ dbt.concat([
            'counts.scope_key', "'|'",
            'cast(counts.horizon_days as ' ~ dbt.type_string() ~ ')', "'|'",
            'counts.group_type', "'|'", 'counts.group_code'
        ]) }} as backtest_key,
        as_of.as_of_date,
        counts.scope,
        counts.snapshot_date,
        {{ marts_int('counts.snapshot_index') }} as snapshot_index,
        {{ marts_int('counts.horizon_days') }} as horizon_days,
        counts.group_type,
        counts.group_code,
        {{ marts_int('counts.group_sort_order') }} as group_sort_order,
        {{ marts_int('counts.evaluated_account_count') }} as evaluated_account_count,
        {{ marts_int('counts.churned_account_count') }} as churned_account_count,
        {{ marts_int('counts.flagged_account_count') }} as flagged_account_count,
        {{ marts_int('counts.flagged_churned_count') }} as flagged_churned_count,
        {{ marts_rate(marts_safe_divide(
            'counts.flagged_account_count', 'counts.evaluated_account_count'
        )) }} as flagged_share,
        {{ marts_rate(marts_safe_divide(
            'counts.churned_account_count', 'counts.evaluated_account_count'
        )) }} as base_churn_rate,
        {{ marts_rate(marts_safe_divide(
            'counts.flagged_churned_count', 'counts.flagged_account_count'
        )) }} as churn_rate_flagged,
        {{ marts_int('counts.reference_account_count') }} as reference_account_count,
        {{ marts_rate(marts_safe_divide(
            'counts.reference_churned_count', 'counts.reference_account_count'
        )) }} as churn_rate_reference,
        {{ marts_rate(marts_safe_divide(
            'counts.flagged_churned_count', 'counts.churned_account_count'
        )) }} as recall,
        cast({{ marts_round(marts_safe_divide(
            marts_safe_divide('counts.flagged_churned_count', 'counts.flagged_account_count'),
            marts_safe_divide('counts.reference_churned_count', 'counts.reference_account_count')
        ), 4) }} as decimal(12, 4)) as lift_vs_reference,
        cast({{ marts_round(marts_safe_divide(
            marts_safe_divide('counts.flagged_churned_count', 'counts.flagged_account_count'),
            marts_safe_divide('counts.churned_account_count', 'counts.evaluated_account_count')
        ), 4) }} as decimal(12, 4)) as lift_vs_base,
        {{ marts_rate('auc.auc_risk_score') }} as auc_risk_score,
        {{ marts_rate('auc.auc_days_since_last_order') }} as auc_days_since_last_order
    from counts
    inner join auc
        on
            counts.scope_key = auc.scope_key
            and counts.horizon_days = auc.horizon_days
    cross join as_of

)

select * from final
