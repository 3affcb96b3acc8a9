-- One row per account with a completed order up to the as-of date: R, F, M values and their
-- 1-5 scores. Score rule: rank the accounts from worst to best with rank() (equal values
-- share the rank of the first of them), position = (rank - 1) / number of accounts, score =
-- 1 + number of cut-offs (var rfm_score_cutoffs, default 0.2/0.4/0.6/0.8) <= position.
-- Equal values therefore always get equal scores, independent of row order or account id,
-- so reruns never reshuffle accounts. Worst = most days since the last order (R), fewest
-- window orders (F), least window revenue (M).

with

account_metrics as (

    select * from {{ ref('int_account_order_metrics') }}

),

ranked as (

    select
        account_id,
        days_since_last_order as recency_days,
        window_order_count as frequency_orders,
        window_revenue_cny as monetary_revenue_cny,
        rank() over (order by days_since_last_order desc) as r_rank,
        rank() over (order by window_order_count asc) as f_rank,
        rank() over (order by window_revenue_cny asc) as m_rank,
        count(*) over () as account_count
    from account_metrics

),

positioned as (

    select
        account_id,
        recency_days,
        frequency_orders,
        monetary_revenue_cny,
        {{ marts_safe_divide('r_rank - 1', 'account_count') }} as r_position,
        {{ marts_safe_divide('f_rank - 1', 'account_count') }} as f_position,
        {{ marts_safe_divide('m_rank - 1', 'account_count') }} as m_position
    from ranked

),

scored as (

    select
        account_id,
        recency_days,
        frequency_orders,
        monetary_revenue_cny,
        {{ marts_rfm_score('r_position') }} as r_score,
        {{ marts_rfm_score('f_position') }} as f_score,
        {{ marts_rfm_score('m_position') }} as m_score
    from positioned

),

final as (

    select
        account_id,
        recency_days,
        frequency_orders,
        monetary_revenue_cny,
        r_score,
        f_score,
        m_score,
        r_score + f_score + m_score as rfm_score,
        cast(r_score as {{ dbt.type_string() }})
        || cast(f_score as {{ dbt.type_string() }})
        || cast(m_score as {{ dbt.type_string() }}) as rfm_cell
    from scored

)

select * from final
