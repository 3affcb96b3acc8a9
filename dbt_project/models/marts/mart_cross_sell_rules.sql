-- Cross-sell association rules (关联规则): product-line and category co-purchase across
-- accounts in the RFM window up to the as-of date. A basket is one account's set of lines
-- (or categories) bought in the window. For antecedent A -> consequent B:
--   support    = accounts that bought A and B / accounts with a basket
--   confidence = accounts that bought A and B / accounts that bought A
--   lift       = confidence / (accounts that bought B / accounts with a basket)
-- Grain: one row per level x antecedent x consequent with support >= cross_sell_min_support,
-- confidence >= cross_sell_min_confidence and lift > cross_sell_min_lift.

with

purchases as (

    select * from {{ ref('int_account_item_purchases') }}

),

as_of as (

    select * from {{ ref('int_as_of_date') }}

),

baskets as (

    select
        item_level,
        count(distinct account_id) as basket_count
    from purchases
    group by item_level

),

item_counts as (

    select
        item_level,
        item_code,
        count(*) as account_count
    from purchases
    group by item_level, item_code

),

pair_counts as (

    select
        antecedent.item_level,
        antecedent.item_code as antecedent_code,
        consequent.item_code as consequent_code,
        count(*) as pair_account_count
    from purchases as antecedent
    inner join purchases as consequent
        on
            antecedent.account_id = consequent.account_id
            and antecedent.item_level = consequent.item_level
            and antecedent.item_code <> consequent.item_code
    group by antecedent.item_level, antecedent.item_code, consequent.item_code

),

measured as (

    select
        pair_counts.item_level,
        pair_counts.antecedent_code,
        pair_counts.consequent_code,
        baskets.basket_count,
        antecedents.account_count as antecedent_account_count,
        consequents.account_count as consequent_account_count,
        pair_counts.pair_account_count,
        {{ marts_safe_divide('pair_counts.pair_account_count', 'baskets.basket_count') }}
            as support,
        {{ marts_safe_divide('antecedents.account_count', 'baskets.basket_count') }}
            as antecedent_support,
        {{ marts_safe_divide('consequents.account_count', 'baskets.basket_count') }}
            as consequent_support,
        {{ marts_safe_divide('pair_counts.pair_account_count', 'antecedents.account_count') }}
            as confidence,
        {{ marts_safe_divide(
            'cast(pair_counts.pair_account_count as ' ~ marts_type_double() ~ ')'
            ~ ' * baskets.basket_count',
            'cast(antecedents.account_count as ' ~ marts_type_double() ~ ')'
            ~ ' * consequents.account_count'
        ) }} as lift
    from pair_counts
    inner join baskets
        on pair_counts.item_level = baskets.item_level
    inner join item_counts as antecedents
        on
            pair_counts.item_level = antecedents.item_level
            and pair_counts.antecedent_code = antecedents.item_code
    inner join item_counts as consequents
        on
            pair_counts.item_level = consequents.item_level
            and pair_counts.consequent_code = consequents.item_code

),

kept as (

    select *
    from measured
    where
        support >= {{ var('cross_sell_min_support') }}
        and confidence >= {{ var('cross_sell_min_confidence') }}
        and lift > {{ var('cross_sell_min_lift') }}

),

final as (

    select
        {{ dbt.concat([
            'kept.item_level', "'|'", 'kept.antecedent_code', "'|'", 'kept.consequent_code'
        ]) }} as rule_key,
        as_of.as_of_date,
        as_of.window_start_date,
        kept.item_level as rule_level,
        kept.antecedent_code,
        kept.consequent_code,
        {{ marts_int(
            'row_number() over (partition by kept.item_level order by kept.lift * kept.confidence'
            ~ ' desc, kept.antecedent_code asc, kept.consequent_code asc)'
        ) }} as rule_rank,
        {{ marts_int('kept.basket_count') }} as basket_count,
        {{ marts_int('kept.antecedent_account_count') }} as antecedent_account_count,
        {{ marts_int('kept.consequent_account_count') }} as consequent_account_count,
        {{ marts_int('kept.pair_account_count') }} as pair_account_count,
        {{ marts_rate('kept.support') }} as support,
        {{ marts_rate('kept.antecedent_support') }} as antecedent_support,
        {{ marts_rate('kept.consequent_support') }} as consequent_support,
        {{ marts_rate('kept.confidence') }} as confidence,
        cast({{ marts_round('kept.lift', 4) }} as decimal(12, 4)) as lift
    from kept
    cross join as_of

)

select * from final
