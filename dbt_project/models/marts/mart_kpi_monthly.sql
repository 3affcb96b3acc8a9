-- Monthly KPIs by region x industry x size band (revenue band). Grain: one row per calendar
-- month (first month with data .. as-of month) x region_code x industry_code x
-- size_band_code, dense (zero rows included) for every combination that has an account.
-- Accounts are sliced by their attributes at the as-of date (history restated).

{%- set cell_months =
    'partition by region_code, industry_code, size_band_code order by month_start' %}

with

account_months as (

    select * from {{ ref('int_account_months') }}

),

accounts as (

    select * from {{ ref('int_accounts_as_of') }}

),

account_tiers as (

    select * from {{ ref('mart_account_tiers') }}

),

surveys as (

    select * from {{ ref('fct_surveys') }}

),

complaints as (

    select * from {{ ref('fct_complaints') }}

),

invoice_status as (

    select * from {{ ref('int_invoice_status') }}

),

regions as (

    select * from {{ ref('dim_region') }}

),

industries as (

    select * from {{ ref('industries') }}

),

revenue_bands as (

    select * from {{ ref('revenue_bands') }}

),

calendar as (

    select * from {{ ref('dim_date') }}

),

as_of as (

    select * from {{ ref('int_as_of_date') }}

),

survey_months as (

    select
        coalesce(surveys.account_id, 'UNKNOWN') as account_id,
        cast({{ dbt.date_trunc('month', 'surveys.submitted_date') }} as date) as month_start,
        surveys.satisfaction_score
    from surveys
    cross join as_of
    where
        surveys.submitted_date <= as_of.as_of_date
        and surveys.satisfaction_score is not null

),

complaint_months as (

    select
        coalesce(complaints.account_id, 'UNKNOWN') as account_id,
        cast({{ dbt.date_trunc('month', 'complaints.created_date') }} as date) as month_start
    from complaints
    cross join as_of
    where complaints.created_date <= as_of.as_of_date

),

seen_accounts as (

    select account_id from account_months
    union
    select account_id from survey_months
    union
    select account_id from complaint_months
    union
    select account_id from invoice_status

),

account_dims as (

    select
        seen_accounts.account_id,
        coalesce(accounts.region_code, 'UNKNOWN') as region_code,
        coalesce(accounts.industry_code, 'UNKNOWN') as industry_code,
        coalesce(accounts.revenue_band_code, 'UNKNOWN') as size_band_code,
        coalesce(account_tiers.is_key_account, false) as is_key_account
    from seen_accounts
    left join accounts
        on seen_accounts.account_id = accounts.account_id
    left join account_tiers
        on seen_accounts.account_id = account_tiers.account_id

),

order_facts as (

    select
        account_dims.region_code,
        account_dims.industry_code,
        account_dims.size_band_code,
        account_months.month_start,
        sum(account_months.revenue_cny) as revenue_cny,
        sum(account_months.cost_cny) as cost_cny,
        sum(account_months.margin_cny) as margin_cny,
        sum(account_months.quantity) as quantity,
        sum(account_months.order_count) as order_count,
        sum(case when account_months.is_buyer then 1 else 0 end) as buying_account_count,
        sum(case when account_months.is_repeat_buyer then 1 else 0 end) as repeat_buyer_count,
        sum(case when account_months.is_new_account then 1 else 0 end) as new_account_count,
        sum(
            case when account_months.is_active_at_start then 1 else 0 end
        ) as active_accounts_at_start,
        sum(
            case when account_months.is_churned_in_month then 1 else 0 end
        ) as churned_account_count,
        sum(
            case when account_dims.is_key_account then account_months.revenue_cny else 0 end
        ) as key_account_revenue_cny,
        sum(
            case when account_dims.is_key_account then account_months.margin_cny else 0 end
        ) as key_account_margin_cny
    from account_months
    inner join account_dims
        on account_months.account_id = account_dims.account_id
    group by
        account_dims.region_code,
        account_dims.industry_code,
        account_dims.size_band_code,
        account_months.month_start

),

survey_facts as (

    select
        account_dims.region_code,
        account_dims.industry_code,
        account_dims.size_band_code,
        survey_months.month_start,
        count(*) as survey_count,
        sum(survey_months.satisfaction_score) as satisfaction_sum
    from survey_months
    inner join account_dims
        on survey_months.account_id = account_dims.account_id
    group by
        account_dims.region_code,
        account_dims.industry_code,
        account_dims.size_band_code,
        survey_months.month_start

),

complaint_facts as (

    select
        account_dims.region_code,
        account_dims.industry_code,
        account_dims.size_band_code,
        complaint_months.month_start,
        count(*) as complaint_count
    from complaint_months
    inner join account_dims
        on complaint_months.account_id = account_dims.account_id
    group by
        account_dims.region_code,
        account_dims.industry_code,
        account_dims.size_band_code,
        complaint_months.month_start

),

invoice_facts as (

    select
        account_dims.region_code,
        account_dims.industry_code,
        account_dims.size_band_code,
        invoice_status.invoice_month_start as month_start,
        sum(invoice_status.invoice_amount_cny) as invoiced_cny
    from invoice_status
    inner join account_dims
        on invoice_status.account_id = account_dims.account_id
    group by
        account_dims.region_code,
        account_dims.industry_code,
        account_dims.size_band_code,
        invoice_status.invoice_month_start

),

-- collection is measured on the invoices that fell due in the month (by the as-of date)
collection_facts as (

    select
        account_dims.region_code,
        account_dims.industry_code,
        account_dims.size_band_code,
        invoice_status.due_month_start as month_start,
        sum(invoice_status.invoice_amount_cny) as due_cny,
        sum(invoice_status.paid_amount_cny) as collected_cny
    from invoice_status
    inner join account_dims
        on invoice_status.account_id = account_dims.account_id
    where invoice_status.is_due
    group by
        account_dims.region_code,
        account_dims.industry_code,
        account_dims.size_band_code,
        invoice_status.due_month_start

),

first_month as (

    select min(month_start) as first_month_start
    from (
        select month_start from order_facts
        union all
        select month_start from survey_facts
        union all
        select month_start from complaint_facts
        union all
        select month_start from invoice_facts
        union all
        select month_start from collection_facts
    ) as fact_months

),

months as (

    select distinct calendar.month_start
    from calendar
    cross join as_of
    cross join first_month
    where
        calendar.month_start >= first_month.first_month_start
        and calendar.month_start <= as_of.as_of_month_start

),

dim_combinations as (

    select distinct
        region_code,
        industry_code,
        size_band_code
    from account_dims

),

grid as (

    select
        dim_combinations.region_code,
        dim_combinations.industry_code,
        dim_combinations.size_band_code,
        months.month_start
    from dim_combinations
    cross join months

),

joined as (

    select
        grid.region_code,
        grid.industry_code,
        grid.size_band_code,
        grid.month_start,
        coalesce(order_facts.revenue_cny, 0) as revenue_cny,
        coalesce(order_facts.cost_cny, 0) as cost_cny,
        coalesce(order_facts.margin_cny, 0) as margin_cny,
        coalesce(order_facts.quantity, 0) as quantity,
        coalesce(order_facts.order_count, 0) as order_count,
        coalesce(order_facts.buying_account_count, 0) as buying_account_count,
        coalesce(order_facts.repeat_buyer_count, 0) as repeat_buyer_count,
        coalesce(order_facts.new_account_count, 0) as new_account_count,
        coalesce(order_facts.active_accounts_at_start, 0) as active_accounts_at_start,
        coalesce(order_facts.churned_account_count, 0) as churned_account_count,
        coalesce(order_facts.key_account_revenue_cny, 0) as key_account_revenue_cny,
        coalesce(order_facts.key_account_margin_cny, 0) as key_account_margin_cny,
        coalesce(survey_facts.survey_count, 0) as survey_count,
        coalesce(survey_facts.satisfaction_sum, 0) as satisfaction_sum,
        coalesce(complaint_facts.complaint_count, 0) as complaint_count,
        coalesce(invoice_facts.invoiced_cny, 0) as invoiced_cny,
        coalesce(collection_facts.due_cny, 0) as due_cny,
        coalesce(collection_facts.collected_cny, 0) as collected_cny
    from grid
    left join order_facts
        on
            grid.region_code = order_facts.region_code
            and grid.industry_code = order_facts.industry_code
            and grid.size_band_code = order_facts.size_band_code
            and grid.month_start = order_facts.month_start
    left join survey_facts
        on
            grid.region_code = survey_facts.region_code
            and grid.industry_code = survey_facts.industry_code
            and grid.size_band_code = survey_facts.size_band_code
            and grid.month_start = survey_facts.month_start
    left join complaint_facts
        on
            grid.region_code = complaint_facts.region_code
            and grid.industry_code = complaint_facts.industry_code
            and grid.size_band_code = complaint_facts.size_band_code
            and grid.month_start = complaint_facts.month_start
    left join invoice_facts
        on
            grid.region_code = invoice_facts.region_code
            and grid.industry_code = invoice_facts.industry_code
            and grid.size_band_code = invoice_facts.size_band_code
            and grid.month_start = invoice_facts.month_start
    left join collection_facts
        on
            grid.region_code = collection_facts.region_code
            and grid.industry_code = collection_facts.industry_code
            and grid.size_band_code = collection_facts.size_band_code
            and grid.month_start = collection_facts.month_start

),

-- the grid is dense, so row offsets are month offsets
with_history as (

    select
        *,
        lag(revenue_cny, 1) over ({{ cell_months }}) as revenue_prev_month_cny,
        revenue_cny
        + lag(revenue_cny, 1) over ({{ cell_months }})
        + lag(revenue_cny, 2) over ({{ cell_months }}) as revenue_3m_cny,
        lag(revenue_cny, 3) over ({{ cell_months }})
        + lag(revenue_cny, 4) over ({{ cell_months }})
        + lag(revenue_cny, 5) over ({{ cell_months }}) as revenue_prev_3m_cny,
        lag(revenue_cny, 12) over ({{ cell_months }}) as revenue_prev_year_cny
    from joined

),

final as (

    select
        with_history.month_start,
        as_of.as_of_date,
        cast({{ dbt.dateadd('month', 1, 'with_history.month_start') }} as date)
        <= cast({{ dbt.dateadd('day', 1, 'as_of.as_of_date') }} as date) as is_complete_month,
        with_history.region_code,
        coalesce(regions.region_name_zh, '未知') as region_name_zh,
        coalesce(regions.region_name_en, 'Unknown') as region_name_en,
        with_history.industry_code,
        coalesce(industries.industry_name_zh, '未知') as industry_name_zh,
        coalesce(industries.industry_name_en, 'Unknown') as industry_name_en,
        with_history.size_band_code,
        coalesce(revenue_bands.revenue_band_zh, '未知') as size_band_name_zh,
        coalesce(revenue_bands.revenue_band_en, 'Unknown') as size_band_name_en,
        {{ marts_money('with_history.revenue_cny') }} as revenue_cny,
        {{ marts_money('with_history.cost_cny') }} as cost_cny,
        {{ marts_money('with_history.margin_cny') }} as margin_cny,
        {{ marts_rate(marts_safe_divide('with_history.margin_cny', 'with_history.revenue_cny')) }}
            as gross_margin_pct,
        cast(with_history.quantity as decimal(18, 2)) as quantity,
        {{ marts_int('with_history.order_count') }} as order_count,
        {{ marts_int('with_history.buying_account_count') }} as buying_account_count,
        {{ marts_money(marts_safe_divide('with_history.revenue_cny', 'with_history.order_count')) }}
            as aov_cny,
        {{ marts_money('with_history.revenue_prev_month_cny') }} as revenue_prev_month_cny,
        {{ marts_rate(marts_safe_divide(
            'with_history.revenue_cny - with_history.revenue_prev_month_cny',
            'with_history.revenue_prev_month_cny'
        )) }} as revenue_mom_pct,
        {{ marts_money('with_history.revenue_3m_cny') }} as revenue_3m_cny,
        {{ marts_money('with_history.revenue_prev_3m_cny') }} as revenue_prev_3m_cny,
        {{ marts_rate(marts_safe_divide(
            'with_history.revenue_3m_cny - with_history.revenue_prev_3m_cny',
            'with_history.revenue_prev_3m_cny'
        )) }} as revenue_3m_vs_prev_3m_pct,
        {{ marts_money('with_history.revenue_prev_year_cny') }} as revenue_prev_year_cny,
        {{ marts_rate(marts_safe_divide(
            'with_history.revenue_cny - with_history.revenue_prev_year_cny',
            'with_history.revenue_prev_year_cny'
        )) }} as revenue_yoy_pct,
        {{ marts_int('with_history.repeat_buyer_count') }} as repeat_buyer_count,
        {{ marts_rate(marts_safe_divide(
            'with_history.repeat_buyer_count', 'with_history.buying_account_count'
        )) }} as repurchase_rate,
        {{ marts_int('with_history.new_account_count') }} as new_account_count,
        {{ marts_int('with_history.active_accounts_at_start') }} as active_accounts_at_start,
        {{ marts_int('with_history.churned_account_count') }} as churned_account_count,
        {{ marts_rate(marts_safe_divide(
            'with_history.churned_account_count', 'with_history.active_accounts_at_start'
        )) }} as churn_rate,
        {{ marts_money('with_history.invoiced_cny') }} as invoiced_cny,
        {{ marts_money('with_history.due_cny') }} as due_cny,
        {{ marts_money('with_history.collected_cny') }} as collected_cny,
        {{ marts_rate(marts_safe_divide(
            'with_history.collected_cny', 'with_history.due_cny'
        )) }}
            as collection_rate,
        {{ marts_int('with_history.survey_count') }} as survey_count,
        cast(with_history.satisfaction_sum as decimal(18, 2)) as satisfaction_sum,
        {{ marts_avg(marts_safe_divide(
            'with_history.satisfaction_sum', 'with_history.survey_count'
        )) }}
            as satisfaction_avg,
        {{ marts_int('with_history.complaint_count') }} as complaint_count,
        {{ marts_money('with_history.key_account_revenue_cny') }} as key_account_revenue_cny,
        {{ marts_money('with_history.key_account_margin_cny') }} as key_account_margin_cny,
        {{ marts_rate(marts_safe_divide(
            'with_history.key_account_revenue_cny', 'with_history.revenue_cny'
        )) }} as key_account_revenue_share
    from with_history
    cross join as_of
    left join regions
        on with_history.region_code = regions.region_code
    left join industries
        on with_history.industry_code = industries.industry_code
    left join revenue_bands
        on with_history.size_band_code = revenue_bands.revenue_band_code

)

select * from final
