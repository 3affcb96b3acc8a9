-- Top-N accounts (var top_n_accounts) by window revenue and by window gross profit.
-- Grain: one row per ranking_metric (revenue, gross_profit) x rank_position; ties are
-- broken by account_id; only accounts with a positive metric are ranked.

{%- set top_n = var('top_n_accounts') | int %}

with

account_tiers as (

    select * from {{ ref('mart_account_tiers') }}

),

as_of as (

    select * from {{ ref('int_as_of_date') }}

),

by_metric as (

    select
        'revenue' as ranking_metric,
        account_id,
        window_revenue_cny as metric_value_cny
    from account_tiers
    union all
    select
        'gross_profit' as ranking_metric,
        account_id,
        window_margin_cny as metric_value_cny
    from account_tiers

),

ranked as (

    select
        ranking_metric,
        account_id,
        metric_value_cny,
        row_number() over (
            partition by ranking_metric
            order by metric_value_cny desc, account_id asc
        ) as rank_position,
        sum(metric_value_cny) over (partition by ranking_metric) as metric_total_cny
    from by_metric

),

final as (

    select
        as_of.as_of_date,
        as_of.window_start_date,
        ranked.ranking_metric,
        {{ marts_int('ranked.rank_position') }} as rank_position,
        ranked.account_id,
        account_tiers.account_name,
        account_tiers.region_code,
        account_tiers.industry_code,
        account_tiers.owner_rep_id,
        account_tiers.value_tier_code,
        account_tiers.abc_class,
        {{ marts_money('ranked.metric_value_cny') }} as metric_value_cny,
        {{ marts_rate(marts_safe_divide('ranked.metric_value_cny', 'ranked.metric_total_cny')) }}
            as metric_share_of_total,
        account_tiers.window_revenue_cny,
        account_tiers.window_margin_cny,
        {{ marts_rate(marts_safe_divide(
            'account_tiers.window_margin_cny', 'account_tiers.window_revenue_cny'
        )) }} as gross_margin_pct
    from ranked
    cross join as_of
    inner join account_tiers
        on ranked.account_id = account_tiers.account_id
    where
        ranked.rank_position <= {{ top_n }}
        and ranked.metric_value_cny > 0

)

select * from final
