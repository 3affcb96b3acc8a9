-- Risk early-warning signals (风险预警). Grain: one row per account x signal that fires at
-- the as-of date (accounts with a completed order on or before it). Each row carries the
-- measured value, the threshold, its weight in the score (no_purchase graded; 0 = a fact
-- shown to people but not scored) and a readable reason with the numbers. The conditions
-- and weights are macros/risk/risk_rules.sql, shared with the backtest.

with

features as (

    select * from {{ ref('int_account_risk_features') }}

),

risk_signals as (

    select * from {{ ref('risk_signals') }}

),

accounts as (

    select * from {{ ref('int_accounts_as_of') }}

),

no_purchase as (

    select
        account_id,
        'no_purchase' as signal_code,
        cast(days_since_last_order as {{ marts_type_double() }}) as metric_value,
        cast({{ var('risk_no_purchase_min_days') }} as {{ marts_type_double() }})
            as threshold_value,
        'No purchase for ' || {{ marts_format_number('days_since_last_order') }}
        || ' days (last order ' || cast(last_order_date as {{ dbt.type_string() }})
        || '; full weight from {{ var("risk_no_purchase_full_days") }} days)' as reason_en,
        '已' || {{ marts_format_number('days_since_last_order') }}
        || '天未采购(最近下单 ' || cast(last_order_date as {{ dbt.type_string() }})
        || ',满{{ var("risk_no_purchase_full_days") }}天计满分)' as reason_zh
    from features
    where {{ risk_signal_fires('no_purchase') }}

),

revenue_drop_qoq as (

    select
        account_id,
        'revenue_drop_qoq' as signal_code,
        revenue_change_qoq as metric_value,
        cast({{ var('risk_revenue_drop_qoq') }} as {{ marts_type_double() }}) as threshold_value,
        'Revenue of the last 3 months ' || {{ marts_format_number('quarter_revenue_cny') }}
        || ' CNY vs ' || {{ marts_format_number('prior_quarter_revenue_cny') }}
        || ' CNY the 3 months before (' || {{ marts_format_pct('revenue_change_qoq') }}
        || '; threshold ' || {{ marts_format_pct(var('risk_revenue_drop_qoq')) }} || ')'
            as reason_en,
        '近3个月收入' || {{ marts_format_number('quarter_revenue_cny') }}
        || '元,前3个月' || {{ marts_format_number('prior_quarter_revenue_cny') }}
        || '元(环比' || {{ marts_format_pct('revenue_change_qoq') }}
        || ',阈值' || {{ marts_format_pct(var('risk_revenue_drop_qoq')) }} || ')'
            as reason_zh
    from features
    where {{ risk_signal_fires('revenue_drop_qoq') }}

),

satisfaction_low as (

    select
        account_id,
        'satisfaction_low' as signal_code,
        satisfaction_current as metric_value,
        cast({{ var('risk_satisfaction_floor') }} as {{ marts_type_double() }}) as threshold_value,
        'Satisfaction ' || {{ marts_format_number('satisfaction_current', 1) }}
        || case
            when recent_survey_count > 0
                then
                    ' over the last 3 months ('
                    || cast(recent_survey_count as {{ dbt.type_string() }})
                    || ' survey(s))'
            else
                ' over the window (' || cast(window_survey_count as {{ dbt.type_string() }})
                || ' survey(s))'
        end
        || ' is below the floor {{ var("risk_satisfaction_floor") }}' as reason_en,
        '满意度' || {{ marts_format_number('satisfaction_current', 1) }}
        || case
            when recent_survey_count > 0
                then '(近3个月' || cast(recent_survey_count as {{ dbt.type_string() }}) || '份问卷)'
            else '(统计期' || cast(window_survey_count as {{ dbt.type_string() }}) || '份问卷)'
        end
        || '低于下限{{ var("risk_satisfaction_floor") }}' as reason_zh
    from features
    where {{ risk_signal_fires('satisfaction_low') }}

),

satisfaction_falling as (

    select
        account_id,
        'satisfaction_falling' as signal_code,
        {{ marts_round('satisfaction_baseline_avg - satisfaction_recent_avg', 4) }} as metric_value,
        cast({{ var('risk_satisfaction_drop') }} as {{ marts_type_double() }}) as threshold_value,
        'Satisfaction fell from ' || {{ marts_format_number('satisfaction_baseline_avg', 1) }}
        || ' to ' || {{ marts_format_number('satisfaction_recent_avg', 1) }}
        || ' in the last 3 months (drop '
        || {{ marts_format_number('satisfaction_baseline_avg - satisfaction_recent_avg', 2) }}
        || ' >= {{ var("risk_satisfaction_drop") }}, now below '
        || '{{ var("risk_satisfaction_falling_max") }})' as reason_en,
        '满意度由' || {{ marts_format_number('satisfaction_baseline_avg', 1) }}
        || '降至' || {{ marts_format_number('satisfaction_recent_avg', 1) }}
        || '(近3个月下降'
        || {{ marts_format_number('satisfaction_baseline_avg - satisfaction_recent_avg', 2) }}
        || ',阈值{{ var("risk_satisfaction_drop") }},现低于{{ var("risk_satisfaction_falling_max") }})'
            as reason_zh
    from features
    where {{ risk_signal_fires('satisfaction_falling') }}

),

complaints_rising as (

    select
        account_id,
        'complaints_rising' as signal_code,
        cast(complaints_quarter - complaints_prior_quarter as {{ marts_type_double() }})
            as metric_value,
        cast({{ var('risk_complaints_rise_min') }} as {{ marts_type_double() }}) as threshold_value,
        cast(complaints_quarter as {{ dbt.type_string() }})
        || ' complaints in the last 3 months vs '
        || cast(complaints_prior_quarter as {{ dbt.type_string() }})
        || ' the 3 months before (rise threshold {{ var("risk_complaints_rise_min") }})'
            as reason_en,
        '近3个月投诉' || cast(complaints_quarter as {{ dbt.type_string() }})
        || '次,前3个月' || cast(complaints_prior_quarter as {{ dbt.type_string() }})
        || '次(增加阈值{{ var("risk_complaints_rise_min") }})' as reason_zh
    from features
    where {{ risk_signal_fires('complaints_rising') }}

),

overdue_receivables as (

    select
        account_id,
        'overdue_receivables' as signal_code,
        cast(max_days_past_due as {{ marts_type_double() }}) as metric_value,
        cast({{ var('risk_overdue_days') }} as {{ marts_type_double() }}) as threshold_value,
        cast(overdue_invoice_count as {{ dbt.type_string() }})
        || ' invoice(s) {{ var("risk_overdue_days") }}-'
        || '{{ var("risk_overdue_max_days") }} days overdue, '
        || {{ marts_format_number('overdue_amount_cny') }} || ' CNY outstanding (oldest '
        || cast(max_days_past_due as {{ dbt.type_string() }}) || ' days past due)' as reason_en,
        cast(overdue_invoice_count as {{ dbt.type_string() }})
        || '张发票逾期{{ var("risk_overdue_days") }}-{{ var("risk_overdue_max_days") }}天,未收金额'
        || {{ marts_format_number('overdue_amount_cny') }} || '元(最长逾期'
        || cast(max_days_past_due as {{ dbt.type_string() }}) || '天)' as reason_zh
    from features
    where {{ risk_signal_fires('overdue_receivables') }}

),

low_collection_rate as (

    select
        account_id,
        'low_collection_rate' as signal_code,
        collection_rate as metric_value,
        cast({{ var('risk_collection_rate_floor') }} as {{ marts_type_double() }})
            as threshold_value,
        'Collection rate ' || {{ marts_format_pct('collection_rate') }} || ' ('
        || {{ marts_format_number('due_in_window_paid_cny') }} || ' of '
        || {{ marts_format_number('due_in_window_invoiced_cny') }}
        || ' CNY due in the window paid; floor '
        || {{ marts_format_pct(var('risk_collection_rate_floor')) }} || ')' as reason_en,
        '回款率' || {{ marts_format_pct('collection_rate') }} || '(统计期内到期'
        || {{ marts_format_number('due_in_window_invoiced_cny') }} || '元,已回款'
        || {{ marts_format_number('due_in_window_paid_cny') }} || '元,下限'
        || {{ marts_format_pct(var('risk_collection_rate_floor')) }} || ')' as reason_zh
    from features
    where {{ risk_signal_fires('low_collection_rate') }}

),

opportunity_lost as (

    select
        account_id,
        'opportunity_lost' as signal_code,
        cast(lost_opportunity_count as {{ marts_type_double() }}) as metric_value,
        cast({{ var('risk_opportunity_lost_min') }} as {{ marts_type_double() }})
            as threshold_value,
        cast(lost_opportunity_count as {{ dbt.type_string() }})
        || ' opportunity(ies) lost in the last 3 months, '
        || {{ marts_format_number('lost_opportunity_amount_cny') }} || ' CNY (latest reason: '
        || coalesce(last_lost_reason, 'n/a') || ')' as reason_en,
        '近3个月丢单' || cast(lost_opportunity_count as {{ dbt.type_string() }})
        || '个商机,金额' || {{ marts_format_number('lost_opportunity_amount_cny') }}
        || '元(最近原因:' || coalesce(last_lost_reason, '未填写') || ')' as reason_zh
    from features
    where {{ risk_signal_fires('opportunity_lost') }}

),

fired as (

    select * from no_purchase
    union all
    select * from revenue_drop_qoq
    union all
    select * from satisfaction_low
    union all
    select * from satisfaction_falling
    union all
    select * from complaints_rising
    union all
    select * from overdue_receivables
    union all
    select * from low_collection_rate
    union all
    select * from opportunity_lost

),

final as (

    select
        features.as_of_date,
        fired.account_id,
        coalesce(accounts.account_name, fired.account_id) as account_name,
        coalesce(accounts.owner_rep_id, 'UNKNOWN') as owner_rep_id,
        coalesce(accounts.owner_rep_name, 'UNKNOWN') as owner_rep_name,
        fired.signal_code,
        risk_signals.signal_name_zh,
        risk_signals.signal_name_en,
        {{ marts_int(
            "case when fired.signal_code = 'no_purchase' then "
            ~ risk_signal_weight('no_purchase', 'risk_signals.signal_weight', 'features')
            ~ ' else risk_signals.signal_weight end'
        ) }} as signal_weight,
        {{ marts_int('risk_signals.sort_order') }} as signal_sort_order,
        cast({{ marts_round('fired.metric_value', 4) }} as decimal(18, 4)) as metric_value,
        cast({{ marts_round('fired.threshold_value', 4) }} as decimal(18, 4)) as threshold_value,
        fired.reason_en,
        fired.reason_zh
    from fired
    inner join features
        on fired.account_id = features.account_id
    inner join risk_signals
        on fired.signal_code = risk_signals.signal_code
    left join accounts
        on fired.account_id = accounts.account_id

)

select * from final
