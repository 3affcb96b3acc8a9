-- The win-back list (赢回名单): accounts already lost at the as-of date (no completed order
-- for risk_win_back_days or more), kept out of the early warning (their risk level is
-- 'lost'). Ordered by what they used to buy: revenue of the 12 months before their last
-- order. Grain: one row per lost account.

with

snapshots as (

    select * from {{ ref('int_account_risk_snapshots') }}
    where is_latest and is_win_back

),

orders as (

    select * from {{ ref('int_completed_orders') }}
    where account_id <> 'UNKNOWN'

),

accounts as (

    select * from {{ ref('int_accounts_as_of') }}

),

before_loss as (

    select
        snapshots.account_id,
        count(*) as lifetime_order_count,
        sum(orders.revenue_cny) as lifetime_revenue_cny,
        sum(
            case
                when orders.order_date > {{ marts_months_before('snapshots.last_order_date', 12) }}
                    then orders.revenue_cny
                else 0
            end
        ) as last_year_revenue_cny
    from snapshots
    inner join orders
        on snapshots.account_id = orders.account_id
    group by snapshots.account_id

),

final as (

    select
        snapshots.snapshot_date as as_of_date,
        {{ marts_int(
            'row_number() over (order by before_loss.last_year_revenue_cny desc, '
            ~ 'snapshots.account_id)'
        ) }} as win_back_priority,
        snapshots.account_id,
        coalesce(accounts.account_name, snapshots.account_id) as account_name,
        coalesce(accounts.region_code, 'UNKNOWN') as region_code,
        coalesce(accounts.owner_rep_id, 'UNKNOWN') as owner_rep_id,
        coalesce(accounts.owner_rep_name, 'UNKNOWN') as owner_rep_name,
        snapshots.first_order_date,
        snapshots.last_order_date,
        {{ marts_int('snapshots.days_since_last_order') }} as days_since_last_order,
        {{ marts_int('before_loss.lifetime_order_count') }} as lifetime_order_count,
        {{ marts_money('before_loss.lifetime_revenue_cny') }} as lifetime_revenue_cny,
        {{ marts_money('before_loss.last_year_revenue_cny') }} as last_year_revenue_cny,
        {{ marts_avg('snapshots.satisfaction_window_avg') }} as satisfaction_window_avg,
        {{ marts_money('snapshots.overdue_amount_cny') }} as overdue_amount_cny,
        'No purchase for ' || {{ marts_format_number('snapshots.days_since_last_order') }}
        || ' days (last order ' || cast(snapshots.last_order_date as {{ dbt.type_string() }})
        || '; lost from {{ var("risk_win_back_days") }} days); bought '
        || {{ marts_format_number('before_loss.last_year_revenue_cny') }}
        || ' CNY in the 12 months before' as reason_en,
        '已' || {{ marts_format_number('snapshots.days_since_last_order') }}
        || '天未采购(最近下单 ' || cast(snapshots.last_order_date as {{ dbt.type_string() }})
        || ',满{{ var("risk_win_back_days") }}天视为流失);流失前12个月采购'
        || {{ marts_format_number('before_loss.last_year_revenue_cny') }} || '元' as reason_zh
    from snapshots
    inner join before_loss
        on snapshots.account_id = before_loss.account_id
    left join accounts
        on snapshots.account_id = accounts.account_id

)

select * from final
