-- The RFM, tier and monthly-KPI marts straight from the landing CSVs, in DuckDB
-- (bench/duckdb_marts.py sets the variables). Definitions as in bench/pandas_marts.py:
-- de-duplication by delivery order and the alias seeds, no quarantine rules. Money is
-- summed in integer fen so totals and rank ties are exact.

-- load, in delivery order: rowid is the position among files sorted by name, then rows
create temp table orders_raw as
select * from read_csv(
    getvariable('orders_files'), columns = getvariable('orders_columns'),
    auto_detect = false, header = true, delim = ',', quote = '"', escape = '"'
);

create temp table lines_raw as
select * from read_csv(
    getvariable('lines_files'), columns = getvariable('lines_columns'),
    auto_detect = false, header = true, delim = ',', quote = '"', escape = '"'
);

create temp table accounts_raw as
select * from read_csv(
    getvariable('accounts_files'), columns = getvariable('accounts_columns'),
    auto_detect = false, header = true, delim = ',', quote = '"', escape = '"'
);

create temp macro normalised(label) as
    lower(regexp_replace(trim(label), '[\s\x{3000}]', '', 'g'));

-- a later delivery of an order or a line wins
create temp table orders as
select
    order_id,
    coalesce(account_id, 'UNKNOWN') as account_id,
    cast(order_date as date) as order_date,
    normalised(status) as status
from orders_raw
qualify row_number() over (partition by order_id order by rowid desc) = 1;

create temp table lines as
select
    order_id,
    -- half-up to the fen, as cast(... as decimal(18, 2)) does
    cast(floor(
        cast(quantity as double) * cast(unit_price_cny as double)
        * (1 - coalesce(cast(discount_pct as double), 0)) * 100 + 0.5 + 1e-7
    ) as bigint) as revenue_fen
from lines_raw
qualify row_number() over (partition by order_id, line_no order by rowid desc) = 1;

create table as_of as
select max(order_date) - 1 as as_of_date from orders;

create temp table completed_orders as
select
    o.order_id,
    o.account_id,
    o.order_date,
    cast(sum(l.revenue_fen) as bigint) as revenue_fen
from lines as l
inner join orders as o on l.order_id = o.order_id
where o.status = 'completed' and o.order_date <= (select as_of_date from as_of)
group by o.order_id, o.account_id, o.order_date;

-- RFM over the window, scored by rank position against the quintile cut-offs
create temp table rfm_base as
with params as (
    select
        as_of_date,
        cast(as_of_date - to_months(getvariable('rfm_window_months')) as date) + 1
            as window_start
    from as_of
)

select
    o.account_id,
    max(o.order_date) as last_order_date,
    count(o.order_id) filter (where o.order_date >= p.window_start) as frequency_orders,
    cast(coalesce(
        sum(o.revenue_fen) filter (where o.order_date >= p.window_start), 0
    ) as bigint) as monetary_fen,
    p.as_of_date - max(o.order_date) as recency_days
from completed_orders as o, params as p
where o.account_id <> 'UNKNOWN'
group by o.account_id, p.as_of_date;

create temp macro rfm_score(rank_position) as
    1 + len(list_filter(getvariable('rfm_cutoffs'), c -> rank_position >= c));

create temp table rfm_scored as
select
    *,
    rfm_score((rank() over (order by recency_days desc) - 1) / count(*) over ()) as r_score,
    rfm_score((rank() over (order by frequency_orders) - 1) / count(*) over ()) as f_score,
    rfm_score((rank() over (order by monetary_fen) - 1) / count(*) over ()) as m_score
from rfm_base;

create table rfm as
select
    s.account_id,
    s.last_order_date,
    s.frequency_orders,
    s.monetary_fen,
    s.recency_days,
    s.r_score,
    s.f_score,
    s.m_score,
    s.r_score + s.f_score + s.m_score as rfm_score,
    arg_min(rule.segment_code, rule.rule_priority) as segment_code
from rfm_scored as s
left join read_csv(getvariable('seeds') || '/marts/rfm_segment_rules.csv') as rule
    on s.r_score between rule.r_score_min and rule.r_score_max
    and s.f_score between rule.f_score_min and rule.f_score_max
    and s.m_score between rule.m_score_min and rule.m_score_max
group by all;

-- value tiers and ABC by cumulative revenue share
create table tiers as
with ranked as (
    select
        account_id,
        monetary_fen,
        rfm_score,
        row_number() over (order by monetary_fen desc, account_id) as revenue_rank,
        round(
            sum(monetary_fen) over (
                order by monetary_fen desc, account_id rows unbounded preceding
            ) / nullif(sum(monetary_fen) over (), 0),
            10
        ) as cumulative_share
    from rfm
)

select
    account_id,
    case
        when monetary_fen >= getvariable('vip_min_fen') then 'vip'
        when monetary_fen >= getvariable('key_min_fen') then 'key'
        when rfm_score >= getvariable('potential_min_rfm') then 'potential'
        else 'general'
    end as value_tier_code,
    case
        when monetary_fen <= 0 then 'C'
        when revenue_rank = 1 then 'A'
        when coalesce(cumulative_share, 0) <= getvariable('abc_a_max_share') then 'A'
        when coalesce(cumulative_share, 0) <= getvariable('abc_b_max_share') then 'B'
        else 'C'
    end as abc_class
from ranked;

-- each account's latest CRM record updated on or before the as-of day, and an account first
-- recorded after it keeps its current attributes
create temp table account_versions as
select
    account_id,
    province,
    industry,
    cast(annual_revenue_cny as double) as annual_revenue_cny,
    cast(updated_at as timestamp) < (select as_of_date from as_of) + 1 as is_valid,
    row_number() over (
        partition by account_id order by cast(updated_at as timestamp) desc, rowid desc
    ) as newest_first
from accounts_raw;

create temp table accounts as
with chosen as (
    select *
    from account_versions
    qualify row_number() over (
        partition by account_id order by is_valid desc, newest_first
    ) = 1
),

regions as (
    select normalised(a.alias) as alias, p.region_code
    from read_csv(getvariable('seeds') || '/province_aliases.csv', all_varchar = true) as a
    inner join read_csv(getvariable('seeds') || '/provinces.csv', all_varchar = true) as p
        on a.province_code = p.province_code
),

industries as (
    select normalised(alias) as alias, industry_code
    from read_csv(getvariable('seeds') || '/industry_aliases.csv', all_varchar = true)
),

bands as (
    select revenue_band_code, cast(min_revenue_cny as double) as min_revenue_cny
    from read_csv(getvariable('seeds') || '/revenue_bands.csv')
)

select
    c.account_id,
    coalesce(r.region_code, 'UNKNOWN') as region_code,
    coalesce(i.industry_code, 'UNKNOWN') as industry_code,
    coalesce(
        (
            select arg_max(b.revenue_band_code, b.min_revenue_cny)
            from bands as b
            where b.min_revenue_cny <= c.annual_revenue_cny
        ),
        'UNKNOWN'
    ) as size_band_code
from chosen as c
left join regions as r on normalised(c.province) = r.alias
left join industries as i on normalised(c.industry) = i.alias;

-- monthly revenue by region x industry x size band
create table kpi_monthly as
select
    date_trunc('month', o.order_date) as month_start,
    coalesce(a.region_code, 'UNKNOWN') as region_code,
    coalesce(a.industry_code, 'UNKNOWN') as industry_code,
    coalesce(a.size_band_code, 'UNKNOWN') as size_band_code,
    cast(sum(o.revenue_fen) as bigint) as revenue_fen
from completed_orders as o
left join accounts as a on o.account_id = a.account_id
group by all
