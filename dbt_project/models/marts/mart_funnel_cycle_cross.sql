-- Sales cycle and win rate by region x size band x industry (seed 002's cross analysis,
-- e.g. "East-China manufacturers with 500+ staff close in 45 days"). Grain: one row per
-- size_basis (revenue_band | employee_band) x region_code x size_band_code x industry_code,
-- over the opportunities closed (won or lost) in the window; accounts by their attributes
-- at the as-of date. Sales cycle = days from creation to won.

with

opportunity_states as (

    select * from {{ ref('int_opportunity_states') }}

),

accounts as (

    select * from {{ ref('int_accounts_as_of') }}

),

as_of as (

    select * from {{ ref('int_as_of_date') }}

),

closed_in_window as (

    select
        opportunity_states.opportunity_id,
        opportunity_states.account_id,
        opportunity_states.is_won,
        opportunity_states.is_lost,
        opportunity_states.amount_cny,
        cast(opportunity_states.cycle_days as {{ marts_type_double() }}) as cycle_days
    from opportunity_states
    cross join as_of
    where
        opportunity_states.is_closed
        and opportunity_states.closed_date >= as_of.window_start_date
        and opportunity_states.closed_date <= as_of.as_of_date

),

with_attributes as (

    select
        closed_in_window.*,
        coalesce(accounts.region_code, 'UNKNOWN') as region_code,
        coalesce(accounts.region_name_zh, '未知') as region_name_zh,
        coalesce(accounts.region_name_en, 'Unknown') as region_name_en,
        coalesce(accounts.industry_code, 'UNKNOWN') as industry_code,
        coalesce(accounts.industry_name_zh, '未知') as industry_name_zh,
        coalesce(accounts.industry_name_en, 'Unknown') as industry_name_en,
        coalesce(accounts.revenue_band_code, 'UNKNOWN') as revenue_band_code,
        coalesce(accounts.revenue_band_name_zh, '未知') as revenue_band_name_zh,
        coalesce(accounts.revenue_band_name_en, 'Unknown') as revenue_band_name_en,
        coalesce(accounts.employee_band_code, 'UNKNOWN') as employee_band_code,
        coalesce(accounts.employee_band_name_zh, '未知') as employee_band_name_zh,
        coalesce(accounts.employee_band_name_en, 'Unknown') as employee_band_name_en
    from closed_in_window
    left join accounts
        on closed_in_window.account_id = accounts.account_id

),

by_size_basis as (

    select
        'revenue_band' as size_basis,
        opportunity_id,
        is_won,
        is_lost,
        amount_cny,
        cycle_days,
        region_code,
        region_name_zh,
        region_name_en,
        industry_code,
        industry_name_zh,
        industry_name_en,
        revenue_band_code as size_band_code,
        revenue_band_name_zh as size_band_name_zh,
        revenue_band_name_en as size_band_name_en
    from with_attributes
    union all
    select
        'employee_band' as size_basis,
        opportunity_id,
        is_won,
        is_lost,
        amount_cny,
        cycle_days,
        region_code,
        region_name_zh,
        region_name_en,
        industry_code,
        industry_name_zh,
        industry_name_en,
        employee_band_code as size_band_code,
        employee_band_name_zh as size_band_name_zh,
        employee_band_name_en as size_band_name_en
    from with_attributes

),

aggregated as (

    select
        size_basis,
        region_code,
        region_name_zh,
        region_name_en,
        size_band_code,
        size_band_name_zh,
        size_band_name_en,
        industry_code,
        industry_name_zh,
        industry_name_en,
        count(*) as closed_count,
        sum(case when is_won then 1 else 0 end) as won_count,
        sum(case when is_lost then 1 else 0 end) as lost_count,
        coalesce(sum(case when is_won then amount_cny end), 0) as won_amount_cny,
        coalesce(sum(case when is_won then cycle_days end), 0) as sum_cycle_days_won,
        avg(case when is_won then cycle_days end) as avg_cycle_days_won,
        {{ marts_median('case when is_won then cycle_days end') }} as median_cycle_days_won
    from by_size_basis
    group by
        size_basis,
        region_code,
        region_name_zh,
        region_name_en,
        size_band_code,
        size_band_name_zh,
        size_band_name_en,
        industry_code,
        industry_name_zh,
        industry_name_en

),

final as (

    select
        as_of.as_of_date,
        as_of.window_start_date,
        aggregated.size_basis,
        aggregated.region_code,
        aggregated.region_name_zh,
        aggregated.region_name_en,
        aggregated.size_band_code,
        aggregated.size_band_name_zh,
        aggregated.size_band_name_en,
        aggregated.industry_code,
        aggregated.industry_name_zh,
        aggregated.industry_name_en,
        {{ marts_int('aggregated.closed_count') }} as closed_count,
        {{ marts_int('aggregated.won_count') }} as won_count,
        {{ marts_int('aggregated.lost_count') }} as lost_count,
        {{ marts_rate(marts_safe_divide('aggregated.won_count', 'aggregated.closed_count')) }}
            as win_rate,
        {{ marts_money('aggregated.won_amount_cny') }} as won_amount_cny,
        {{ marts_int('aggregated.sum_cycle_days_won') }} as sum_cycle_days_won,
        {{ marts_avg('aggregated.avg_cycle_days_won') }} as avg_cycle_days_won,
        {{ marts_avg('aggregated.median_cycle_days_won') }} as median_cycle_days_won
    from aggregated
    cross join as_of

)

select * from final
