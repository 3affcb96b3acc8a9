-- Behaviour features of every account with a completed order up to the as-of date, for the
-- k-means clusters of the analytics stage (ka_pipeline/analytics/clustering.py). Grain: one
-- row per account. Every feature is a number, never null, so the Python step only
-- transforms and standardises them: missing satisfaction / collection rate take the mean
-- of the accounts that have one (flagged), growth is capped to [-1, 3].

with

account_metrics as (

    select * from {{ ref('int_account_order_metrics') }}

),

risk_features as (

    select * from {{ ref('int_account_risk_features') }}

),

product_lines as (

    select * from {{ ref('int_account_product_lines') }}

),

joined as (

    select
        account_metrics.account_id,
        account_metrics.as_of_date,
        account_metrics.days_since_last_order,
        account_metrics.window_order_count,
        account_metrics.window_revenue_cny,
        account_metrics.window_margin_cny,
        account_metrics.window_aov_cny,
        account_metrics.lifetime_revenue_cny,
        account_metrics.lifetime_margin_cny,
        account_metrics.lifecycle_revenue_change,
        account_metrics.first_order_date,
        risk_features.satisfaction_current,
        risk_features.collection_rate,
        coalesce(product_lines.lines_bought_count, 0) as lines_bought_count
    from account_metrics
    left join risk_features
        on account_metrics.account_id = risk_features.account_id
    left join product_lines
        on account_metrics.account_id = product_lines.account_id

),

fill_values as (

    select
        avg(satisfaction_current) as mean_satisfaction,
        avg(collection_rate) as mean_collection_rate
    from joined

),

final as (

    select
        joined.account_id,
        joined.as_of_date,
        {{ marts_int('joined.days_since_last_order') }} as recency_days,
        {{ marts_int('joined.window_order_count') }} as frequency_orders,
        {{ marts_money('joined.window_revenue_cny') }} as monetary_revenue_cny,
        {{ marts_money('coalesce(joined.window_aov_cny, 0)') }} as aov_cny,
        -- margin rate of the window, else of the account's lifetime, else 0
        {{ marts_rate(
            'coalesce(' ~ marts_safe_divide('joined.window_margin_cny', 'joined.window_revenue_cny')
            ~ ', ' ~ marts_safe_divide('joined.lifetime_margin_cny', 'joined.lifetime_revenue_cny')
            ~ ', 0)'
        ) }} as margin_rate,
        {{ marts_int('joined.lines_bought_count') }} as product_line_count,
        -- revenue change of the last lifecycle_months vs the months before, capped: an
        -- account without revenue before has no ratio (0 when it had none in either)
        {{ marts_rate(
            'case when joined.lifecycle_revenue_change is null then 0'
            ~ ' when joined.lifecycle_revenue_change > 3 then 3'
            ~ ' when joined.lifecycle_revenue_change < -1 then -1'
            ~ ' else joined.lifecycle_revenue_change end'
        ) }} as growth_rate,
        {{ marts_avg(
            'coalesce(joined.satisfaction_current, fill_values.mean_satisfaction, 0)'
        ) }} as satisfaction,
        joined.satisfaction_current is null as is_satisfaction_filled,
        {{ marts_rate(
            'coalesce(joined.collection_rate, fill_values.mean_collection_rate, 1)'
        ) }} as collection_rate,
        joined.collection_rate is null as is_collection_rate_filled,
        {{ marts_int(dbt.datediff('joined.first_order_date', 'joined.as_of_date', 'day')) }}
            as tenure_days
    from joined
    cross join fill_values

)

select * from final
