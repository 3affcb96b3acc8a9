-- RFM per account at the as-of date. Grain: one row per account with a completed order on
-- or before the as-of date.

with

rfm_scores as (

    select * from {{ ref('int_rfm_scores') }}

),

segment_rules as (

    select * from {{ ref('rfm_segment_rules') }}

),

account_metrics as (

    select * from {{ ref('int_account_order_metrics') }}

),

accounts as (

    select * from {{ ref('int_accounts_as_of') }}

),

as_of as (

    select * from {{ ref('int_as_of_date') }}

),

-- the first rule (by rule_priority) whose three score ranges contain the account's scores
segment_matches as (

    select
        rfm_scores.account_id,
        segment_rules.segment_code,
        segment_rules.segment_name_zh,
        segment_rules.segment_name_en,
        segment_rules.value_group_code,
        segment_rules.value_group_name_zh,
        segment_rules.value_group_name_en,
        row_number() over (
            partition by rfm_scores.account_id
            order by segment_rules.rule_priority
        ) as match_rank
    from rfm_scores
    inner join segment_rules
        on
            rfm_scores.r_score between segment_rules.r_score_min and segment_rules.r_score_max
            and rfm_scores.f_score between segment_rules.f_score_min and segment_rules.f_score_max
            and rfm_scores.m_score between segment_rules.m_score_min and segment_rules.m_score_max

),

segments as (

    select * from segment_matches
    where match_rank = 1

),

final as (

    select
        as_of.as_of_date,
        as_of.window_months,
        as_of.window_start_date,
        rfm_scores.account_id,
        coalesce(accounts.account_name, rfm_scores.account_id) as account_name,
        coalesce(accounts.region_code, 'UNKNOWN') as region_code,
        coalesce(accounts.industry_code, 'UNKNOWN') as industry_code,
        coalesce(accounts.revenue_band_code, 'UNKNOWN') as revenue_band_code,
        coalesce(accounts.owner_rep_id, 'UNKNOWN') as owner_rep_id,
        account_metrics.first_order_date,
        account_metrics.last_order_date,
        {{ marts_int('rfm_scores.recency_days') }} as recency_days,
        {{ marts_int('rfm_scores.frequency_orders') }} as frequency_orders,
        {{ marts_money('rfm_scores.monetary_revenue_cny') }} as monetary_revenue_cny,
        {{ marts_int('rfm_scores.r_score') }} as r_score,
        {{ marts_int('rfm_scores.f_score') }} as f_score,
        {{ marts_int('rfm_scores.m_score') }} as m_score,
        {{ marts_int('rfm_scores.rfm_score') }} as rfm_score,
        rfm_scores.rfm_cell,
        segments.segment_code,
        segments.segment_name_zh,
        segments.segment_name_en,
        segments.value_group_code,
        segments.value_group_name_zh,
        segments.value_group_name_en
    from rfm_scores
    cross join as_of
    inner join account_metrics
        on rfm_scores.account_id = account_metrics.account_id
    left join segments
        on rfm_scores.account_id = segments.account_id
    left join accounts
        on rfm_scores.account_id = accounts.account_id

)

select * from final
