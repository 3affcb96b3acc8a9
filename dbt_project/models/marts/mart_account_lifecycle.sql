-- Lifecycle stage per account at the as-of date, from the trend of its monthly revenue.
-- Grain: one row per account with a completed order on or before the as-of date.
-- Rule (first match): lost -> new -> growth -> decline -> stable; see the model yml.

with

account_metrics as (

    select * from {{ ref('int_account_order_metrics') }}

),

lifecycle_stages as (

    select * from {{ ref('lifecycle_stages') }}

),

accounts as (

    select * from {{ ref('int_accounts_as_of') }}

),

as_of as (

    select * from {{ ref('int_as_of_date') }}

),

staged as (

    select
        account_metrics.account_id,
        account_metrics.first_order_date,
        account_metrics.last_order_date,
        account_metrics.days_since_last_order,
        account_metrics.lifecycle_revenue_cny,
        account_metrics.lifecycle_prior_revenue_cny,
        account_metrics.lifecycle_revenue_change,
        account_metrics.lifecycle_slope_cny_per_month,
        case
            when account_metrics.days_since_last_order >= {{ var('lifecycle_lost_min_days') }}
                then 'lost'
            when
                account_metrics.first_order_date
                > {{ marts_months_before('as_of.as_of_date', var('lifecycle_new_max_age_months')) }}
                then 'new'
            when
                account_metrics.lifecycle_slope_cny_per_month >= 0
                and (
                    account_metrics.lifecycle_revenue_change
                    >= {{ var('lifecycle_growth_min_change') }}
                    or (
                        account_metrics.lifecycle_prior_revenue_cny = 0
                        and account_metrics.lifecycle_revenue_cny > 0
                    )
                )
                then 'growth'
            when
                account_metrics.lifecycle_slope_cny_per_month <= 0
                and account_metrics.lifecycle_revenue_change
                <= {{ var('lifecycle_decline_max_change') }}
                then 'decline'
            else 'stable'
        end as lifecycle_stage_code
    from account_metrics
    cross join as_of

),

explained as (

    select
        *,
        case lifecycle_stage_code
            when 'lost'
                then
                    'No purchase for ' || {{ marts_format_number('days_since_last_order') }}
                    || ' days (>= {{ var("lifecycle_lost_min_days") }})'
            when 'new'
                then
                    'First purchase on ' || cast(first_order_date as {{ dbt.type_string() }})
                    || ' (within {{ var("lifecycle_new_max_age_months") }} months)'
            else
                'Revenue last {{ var("lifecycle_months") }} months '
                || {{ marts_format_number('lifecycle_revenue_cny') }}
                || ' CNY vs ' || {{ marts_format_number('lifecycle_prior_revenue_cny') }}
                || ' CNY before ('
                || coalesce({{ marts_format_pct('lifecycle_revenue_change') }}, 'n/a')
                || '), monthly trend '
                || {{ marts_format_number('lifecycle_slope_cny_per_month') }}
                || ' CNY/month'
        end as stage_reason_en,
        case lifecycle_stage_code
            when 'lost'
                then
                    '已' || {{ marts_format_number('days_since_last_order') }}
                    || '天未采购(阈值{{ var("lifecycle_lost_min_days") }}天)'
            when 'new'
                then
                    '首次采购于' || cast(first_order_date as {{ dbt.type_string() }})
                    || '({{ var("lifecycle_new_max_age_months") }}个月内)'
            else
                '近{{ var("lifecycle_months") }}个月收入'
                || {{ marts_format_number('lifecycle_revenue_cny') }}
                || '元,前期' || {{ marts_format_number('lifecycle_prior_revenue_cny') }}
                || '元(变化' || coalesce({{ marts_format_pct('lifecycle_revenue_change') }}, '无可比数据')
                || '),月趋势' || {{ marts_format_number('lifecycle_slope_cny_per_month') }}
                || '元/月'
        end as stage_reason_zh
    from staged

),

final as (

    select
        as_of.as_of_date,
        as_of.lifecycle_months,
        explained.account_id,
        coalesce(accounts.account_name, explained.account_id) as account_name,
        coalesce(accounts.owner_rep_id, 'UNKNOWN') as owner_rep_id,
        explained.first_order_date,
        explained.last_order_date,
        {{ marts_int('explained.days_since_last_order') }} as days_since_last_order,
        {{ marts_money('explained.lifecycle_revenue_cny') }} as recent_revenue_cny,
        {{ marts_money('explained.lifecycle_prior_revenue_cny') }} as prior_revenue_cny,
        {{ marts_rate('explained.lifecycle_revenue_change') }} as revenue_change_pct,
        {{ marts_money('explained.lifecycle_slope_cny_per_month') }}
            as revenue_slope_cny_per_month,
        explained.lifecycle_stage_code,
        lifecycle_stages.lifecycle_stage_name_zh,
        lifecycle_stages.lifecycle_stage_name_en,
        explained.stage_reason_en,
        explained.stage_reason_zh
    from explained
    cross join as_of
    left join lifecycle_stages
        on explained.lifecycle_stage_code = lifecycle_stages.lifecycle_stage_code
    left join accounts
        on explained.account_id = accounts.account_id

)

select * from final
