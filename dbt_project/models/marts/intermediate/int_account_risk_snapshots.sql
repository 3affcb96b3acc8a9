-- The risk early warning evaluated at every snapshot date: one row per account x snapshot
-- (int_risk_snapshot_dates) with the features, which signals fire (macros/risk), the score
-- (capped sum of the fired signals' weights, seed risk_signals) and the level. Snapshot 0
-- is the as-of date, the production warning (mart_account_risk must agree with it, tested);
-- the others feed the backtest, with the outcome: the first completed order after the
-- snapshot date (up to the as-of date).

{%- set signal_codes = risk_signal_codes() %}
{%- set feature_columns = [
    'snapshot_index', 'snapshot_date', 'is_latest', 'account_id', 'first_order_date',
    'last_order_date', 'days_since_last_order', 'window_order_count', 'quarter_revenue_cny',
    'prior_quarter_revenue_cny', 'revenue_change_qoq', 'satisfaction_window_avg',
    'satisfaction_recent_avg', 'satisfaction_baseline_avg', 'satisfaction_current',
    'recent_survey_count', 'complaints_quarter', 'complaints_prior_quarter',
    'overdue_invoice_count', 'overdue_amount_cny', 'max_days_past_due', 'collection_rate',
    'lost_opportunity_count',
] %}

with

features as (

    select * from {{ ref('int_account_risk_snapshot_features') }}

),

risk_signals as (

    select * from {{ ref('risk_signals') }}

),

orders as (

    select * from {{ ref('int_completed_orders') }}
    where account_id <> 'UNKNOWN'

),

weights as (

    select
        {%- for code in signal_codes %}
        max(case when signal_code = '{{ code }}' then signal_weight end) as weight_{{ code }},
        {%- endfor %}
        count(*) as signal_definition_count
    from risk_signals

),

fired as (

    select
        {%- for column in feature_columns %}
        features.{{ column }},
        {%- endfor %}
        {%- for code in signal_codes %}
        coalesce({{ risk_signal_fires(code, 'features') }}, false) as has_{{ code }},
        {%- endfor %}
        {%- for code in signal_codes %}
        case
            when coalesce({{ risk_signal_fires(code, 'features') }}, false)
                then {{ risk_signal_weight(code, 'weights.weight_' ~ code, 'features') }}
            else 0
        end as points_{{ code }},
        {%- endfor %}
        weights.signal_definition_count
    from features
    cross join weights

),

scored as (

    select
        {%- for column in feature_columns %}
        {{ column }},
        {%- endfor %}
        {%- for code in signal_codes %}
        has_{{ code }},
        {%- endfor %}
        {%- for code in signal_codes %}
        points_{{ code }}{{ ' + ' if not loop.last else ' as weight_sum' }}
        {%- endfor %}
    from fired

),

next_orders as (

    select
        scored.snapshot_date,
        scored.account_id,
        min(orders.order_date) as next_order_date
    from scored
    inner join orders
        on
            scored.account_id = orders.account_id
            and scored.snapshot_date < orders.order_date
    group by scored.snapshot_date, scored.account_id

),

final as (

    select
        {%- for column in feature_columns %}
        scored.{{ column }},
        {%- endfor %}
        {%- for code in signal_codes %}
        scored.has_{{ code }},
        {%- endfor %}
        scored.weight_sum,
        case when scored.weight_sum > 100 then 100 else scored.weight_sum end as risk_score,
        {{ risk_level_code(
            'case when scored.weight_sum > 100 then 100 else scored.weight_sum end',
            'scored.days_since_last_order'
        ) }} as risk_level_code,
        {{ risk_is_win_back('scored.days_since_last_order') }} as is_win_back,
        next_orders.next_order_date
    from scored
    left join next_orders
        on
            scored.snapshot_date = next_orders.snapshot_date
            and scored.account_id = next_orders.account_id

)

select * from final
