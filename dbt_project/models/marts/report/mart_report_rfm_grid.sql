-- Accounts and window revenue per RFM R score x F score cell for the weekly report's RFM
-- map. Grain: one row per (r_score, f_score), all 25 cells (zeros where no account).

with

account_rfm as (

    select * from {{ ref('mart_account_rfm') }}

),

as_of as (

    select * from {{ ref('int_as_of_date') }}

),

scores as (

    {{ marts_number_series(5) }}

),

cells as (

    select
        r_score,
        f_score,
        count(*) as account_count,
        sum(monetary_revenue_cny) as revenue_cny
    from account_rfm
    group by r_score, f_score

),

final as (

    select
        as_of.as_of_date,
        {{ marts_int('r_scores.generated_number') }} as r_score,
        {{ marts_int('f_scores.generated_number') }} as f_score,
        {{ marts_int('coalesce(cells.account_count, 0)') }} as account_count,
        coalesce(cells.revenue_cny, 0) as revenue_cny
    from scores as r_scores
    cross join scores as f_scores
    cross join as_of
    left join cells
        on
            r_scores.generated_number = cells.r_score
            and f_scores.generated_number = cells.f_score

)

select * from final
