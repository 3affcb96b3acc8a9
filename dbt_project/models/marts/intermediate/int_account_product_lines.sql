-- One row per account with a completed order up to the as-of date (UNKNOWN excluded): its
-- main product line (most revenue to date), how many lines it buys, and the cross-sell
-- candidate = the catalogue product line with the most revenue over all accounts in the
-- window that this account has never bought (ties by product_line).

with

order_lines as (

    select * from {{ ref('fct_order_lines') }}

),

products as (

    select * from {{ ref('dim_products') }}

),

as_of as (

    select * from {{ ref('int_as_of_date') }}

),

completed_lines as (

    select
        order_lines.account_id,
        order_lines.revenue_cny,
        coalesce(products.product_line, 'UNKNOWN') as product_line,
        order_lines.order_date >= as_of.window_start_date as is_in_window
    from order_lines
    cross join as_of
    left join products
        on order_lines.product_id = products.product_id
    where
        order_lines.is_completed
        and order_lines.order_date <= as_of.as_of_date
        and order_lines.account_id <> 'UNKNOWN'

),

account_lines as (

    select
        account_id,
        product_line,
        sum(revenue_cny) as revenue_cny
    from completed_lines
    group by account_id, product_line

),

catalogue_lines as (

    select distinct product_line
    from products
    where is_in_catalogue and product_line is not null

),

line_popularity as (

    select
        catalogue_lines.product_line,
        coalesce(
            sum(case when completed_lines.is_in_window then completed_lines.revenue_cny end), 0
        ) as window_revenue_cny
    from catalogue_lines
    left join completed_lines
        on catalogue_lines.product_line = completed_lines.product_line
    group by catalogue_lines.product_line

),

main_lines as (

    select
        account_id,
        product_line,
        count(*) over (partition by account_id) as lines_bought_count,
        row_number() over (
            partition by account_id
            order by revenue_cny desc, product_line asc
        ) as line_rank
    from account_lines

),

buyers as (

    select distinct account_id
    from account_lines

),

candidates as (

    select
        buyers.account_id,
        line_popularity.product_line,
        row_number() over (
            partition by buyers.account_id
            order by line_popularity.window_revenue_cny desc, line_popularity.product_line asc
        ) as candidate_rank
    from buyers
    cross join line_popularity
    left join account_lines
        on
            buyers.account_id = account_lines.account_id
            and line_popularity.product_line = account_lines.product_line
    where account_lines.account_id is null

),

final as (

    select
        main_lines.account_id,
        main_lines.product_line as main_product_line,
        main_lines.lines_bought_count,
        candidates.product_line as cross_sell_product_line
    from main_lines
    left join candidates
        on
            main_lines.account_id = candidates.account_id
            and candidates.candidate_rank = 1
    where main_lines.line_rank = 1

)

select * from final
