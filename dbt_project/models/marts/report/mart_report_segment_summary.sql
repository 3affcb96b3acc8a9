-- Accounts and window revenue per RFM segment for the weekly report. Grain: one row per
-- segment with at least one account in mart_account_rfm; value_group_sort_order comes from
-- the seed rfm_value_groups.

with

account_rfm as (

    select * from {{ ref('mart_account_rfm') }}

),

value_groups as (

    select * from {{ ref('rfm_value_groups') }}

),

by_segment as (

    select
        max(as_of_date) as as_of_date,
        segment_code,
        max(segment_name_zh) as segment_name_zh,
        max(segment_name_en) as segment_name_en,
        max(value_group_code) as value_group_code,
        max(value_group_name_zh) as value_group_name_zh,
        max(value_group_name_en) as value_group_name_en,
        count(*) as account_count,
        sum(monetary_revenue_cny) as revenue_cny
    from account_rfm
    group by segment_code

),

final as (

    select
        by_segment.as_of_date,
        by_segment.segment_code,
        by_segment.segment_name_zh,
        by_segment.segment_name_en,
        by_segment.value_group_code,
        by_segment.value_group_name_zh,
        by_segment.value_group_name_en,
        value_groups.sort_order as value_group_sort_order,
        {{ marts_int('by_segment.account_count') }} as account_count,
        by_segment.revenue_cny
    from by_segment
    left join value_groups
        on by_segment.value_group_code = value_groups.value_group_code

)

select * from final
