-- Account risk: score, level and owner rep. Grain: one row per account with a completed
-- order on or before the as-of date (accounts without a signal included, level 'none').
-- Score = sum of the fired signals' weights (mart_account_risk_signals), capped at 100.
-- Level (macros/risk): 'lost' when already lost (the win-back list, not the early warning),
-- else high / medium / low / none by the score. Signals of weight 0 set their has_* flag
-- but are neither counted nor listed in the reasons. The latest snapshot of
-- int_account_risk_snapshots holds the same score and level (tested).

{%- set signal_codes = risk_signal_codes() %}

with

features as (

    select * from {{ ref('int_account_risk_features') }}

),

signals as (

    select * from {{ ref('mart_account_risk_signals') }}

),

accounts as (

    select * from {{ ref('int_accounts_as_of') }}

),

ranked_signals as (

    select
        account_id,
        signal_code,
        signal_weight,
        reason_en,
        reason_zh,
        row_number() over (
            partition by account_id
            order by signal_weight desc, signal_sort_order asc, signal_code asc
        ) as signal_rank
    from signals
    where signal_weight > 0

),

fired_flags as (

    select
        account_id,
        {%- for code in signal_codes %}
        max(case when signal_code = '{{ code }}' then 1 else 0 end) = 1 as has_{{ code }},
        {%- endfor %}
        count(*) as fired_signal_count
    from signals
    group by account_id

),

account_signals as (

    select
        account_id,
        count(*) as signal_count,
        sum(signal_weight) as weight_sum,
        max(case when signal_rank = 1 then signal_code end) as top_signal_code,
        {{ ordered_listagg('signal_code', "', '", ['signal_rank']) }} as signal_codes,
        {{ ordered_listagg('reason_en', "'; '", ['signal_rank']) }} as reasons_en,
        {{ ordered_listagg('reason_zh', "';'", ['signal_rank']) }} as reasons_zh
    from ranked_signals
    group by account_id

),

top_reasons as (

    select
        account_id,
        {{ ordered_listagg('reason_en', "'; '", ['signal_rank']) }} as top_reasons_en,
        {{ ordered_listagg('reason_zh', "';'", ['signal_rank']) }} as top_reasons_zh
    from ranked_signals
    where signal_rank <= 2
    group by account_id

),

scored as (

    select
        features.account_id,
        features.as_of_date,
        features.days_since_last_order,
        coalesce(account_signals.signal_count, 0) as signal_count,
        case
            when coalesce(account_signals.weight_sum, 0) > 100 then 100
            else coalesce(account_signals.weight_sum, 0)
        end as risk_score,
        {%- for code in signal_codes %}
        coalesce(fired_flags.has_{{ code }}, false) as has_{{ code }},
        {%- endfor %}
        account_signals.top_signal_code,
        account_signals.signal_codes,
        account_signals.reasons_en,
        account_signals.reasons_zh,
        top_reasons.top_reasons_en,
        top_reasons.top_reasons_zh
    from features
    left join account_signals
        on features.account_id = account_signals.account_id
    left join fired_flags
        on features.account_id = fired_flags.account_id
    left join top_reasons
        on features.account_id = top_reasons.account_id

),

leveled as (

    select
        *,
        {{ risk_level_code('risk_score', 'days_since_last_order') }} as risk_level_code,
        {{ risk_is_win_back('days_since_last_order') }} as is_win_back
    from scored

),

final as (

    select
        leveled.as_of_date,
        leveled.account_id,
        coalesce(accounts.account_name, leveled.account_id) as account_name,
        coalesce(accounts.region_code, 'UNKNOWN') as region_code,
        coalesce(accounts.owner_rep_id, 'UNKNOWN') as owner_rep_id,
        coalesce(accounts.owner_rep_name, 'UNKNOWN') as owner_rep_name,
        coalesce(accounts.owner_rep_team, 'UNKNOWN') as owner_rep_team,
        {{ marts_int('leveled.risk_score') }} as risk_score,
        leveled.risk_level_code,
        case leveled.risk_level_code
            when 'high' then '高'
            when 'medium' then '中'
            when 'low' then '低'
            when 'lost' then '已流失'
            else '无'
        end as risk_level_name_zh,
        leveled.is_win_back,
        {{ marts_int('leveled.signal_count') }} as signal_count,
        {%- for code in signal_codes %}
        leveled.has_{{ code }},
        {%- endfor %}
        leveled.top_signal_code,
        leveled.signal_codes,
        leveled.top_reasons_en,
        leveled.top_reasons_zh,
        leveled.reasons_en,
        leveled.reasons_zh
    from leveled
    left join accounts
        on leveled.account_id = accounts.account_id

)

select * from final
