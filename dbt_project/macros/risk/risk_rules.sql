{#- The risk early-warning rules (风险预警), defined once: the signal codes, the condition
    under which each fires (a predicate over the columns of int_account_risk_snapshot_features /
    int_account_risk_features), the level of a score, and the win-back cut-off. Used by
    int_account_risk_snapshots (every snapshot, for the backtest) and by
    mart_account_risk_signals / mart_account_risk (the as-of date, with readable reasons). -#}

{% macro risk_signal_codes() -%}
    {{ return([
        'no_purchase', 'revenue_drop_qoq', 'satisfaction_low',
        'satisfaction_falling', 'complaints_rising', 'overdue_receivables',
        'low_collection_rate', 'opportunity_lost',
    ]) }}
{%- endmacro %}

{#- The predicate of one signal over the feature columns (optionally qualified by `alias`). -#}
{% macro risk_signal_fires(code, alias=none) -%}
    {%- set p = (alias ~ '.') if alias else '' -%}
    {%- if code == 'no_purchase' -%}
        ({{ p }}days_since_last_order >= {{ var('risk_no_purchase_min_days') }})
    {%- elif code == 'revenue_drop_qoq' -%}
        ({{ p }}prior_quarter_revenue_cny > 0
        and {{ p }}revenue_change_qoq <= {{ var('risk_revenue_drop_qoq') }})
    {%- elif code == 'satisfaction_low' -%}
        ({{ p }}satisfaction_current < {{ var('risk_satisfaction_floor') }})
    {%- elif code == 'satisfaction_falling' -%}
        ({{ p }}recent_survey_count > 0
        and {{ marts_round(p ~ 'satisfaction_baseline_avg - ' ~ p ~ 'satisfaction_recent_avg', 4) }}
        >= {{ var('risk_satisfaction_drop') }}
        and {{ p }}satisfaction_recent_avg < {{ var('risk_satisfaction_falling_max') }})
    {%- elif code == 'complaints_rising' -%}
        ({{ p }}complaints_quarter - {{ p }}complaints_prior_quarter
        >= {{ var('risk_complaints_rise_min') }})
    {%- elif code == 'overdue_receivables' -%}
        ({{ p }}overdue_invoice_count > 0)
    {%- elif code == 'low_collection_rate' -%}
        ({{ p }}collection_rate < {{ var('risk_collection_rate_floor') }})
    {%- elif code == 'opportunity_lost' -%}
        ({{ p }}lost_opportunity_count >= {{ var('risk_opportunity_lost_min') }})
    {%- else -%}
        {{ exceptions.raise_compiler_error('unknown risk signal ' ~ code) }}
    {%- endif -%}
{%- endmacro %}

{#- The weight a fired signal adds to the score: its seed weight, except no_purchase, which is
    graded: seed weight x days since the last order / risk_no_purchase_full_days, at most the
    seed weight (recency is the strongest single predictor of churn; graded, it ranks
    accounts instead of cutting them at one day count). Rounded to a whole point. -#}
{% macro risk_signal_weight(code, seed_weight, alias=none) -%}
    {%- set p = (alias ~ '.') if alias else '' -%}
    {%- if code == 'no_purchase' -%}
        cast(round(
            {{ seed_weight }} * case
                when {{ p }}days_since_last_order >= {{ var('risk_no_purchase_full_days') }}
                    then 1.0
                else {{ p }}days_since_last_order / {{ var('risk_no_purchase_full_days') }}.0
            end, 0
        ) as {{ dbt.type_int() }})
    {%- else -%}
        {{ seed_weight }}
    {%- endif -%}
{%- endmacro %}

{#- Already lost: no purchase for risk_win_back_days or more (the win-back list). -#}
{% macro risk_is_win_back(days_since_last_order) -%}
    ({{ days_since_last_order }} >= {{ var('risk_win_back_days') }})
{%- endmacro %}

{#- The level of a score: 'lost' (win-back list, not the early warning) first, then high /
    medium / low / none by the score thresholds. -#}
{% macro risk_level_code(score, days_since_last_order) -%}
    case
        when {{ risk_is_win_back(days_since_last_order) }} then 'lost'
        when {{ score }} >= {{ var('risk_level_high_min_score') }} then 'high'
        when {{ score }} >= {{ var('risk_level_medium_min_score') }} then 'medium'
        when {{ score }} > 0 then 'low'
        else 'none'
    end
{%- endmacro %}
