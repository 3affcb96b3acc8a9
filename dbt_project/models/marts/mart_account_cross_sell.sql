-- Cross-sell recommendations per account: the product lines (and categories) that accounts
-- buying the same things buy too (mart_cross_sell_rules), and this account did not buy in
-- the window. Each candidate is scored by its best rule (lift x confidence, the rule whose
-- antecedent the account buys); the top cross_sell_top_n per account and level are kept.
-- Grain: one row per account x level x recommended item.

with

rules as (

    select * from {{ ref('mart_cross_sell_rules') }}

),

purchases as (

    select * from {{ ref('int_account_item_purchases') }}

),

accounts as (

    select * from {{ ref('int_accounts_as_of') }}

),

as_of as (

    select * from {{ ref('int_as_of_date') }}

),

candidates as (

    select
        purchases.account_id,
        rules.rule_level,
        rules.consequent_code,
        rules.antecedent_code,
        rules.support,
        rules.confidence,
        rules.lift,
        cast(rules.lift as {{ marts_type_double() }})
        * cast(rules.confidence as {{ marts_type_double() }}) as rule_score,
        purchases.revenue_cny as antecedent_revenue_cny
    from purchases
    inner join rules
        on
            purchases.item_level = rules.rule_level
            and purchases.item_code = rules.antecedent_code
    left join purchases as owned
        on
            purchases.account_id = owned.account_id
            and rules.rule_level = owned.item_level
            and rules.consequent_code = owned.item_code
    where owned.account_id is null

),

-- the best rule behind each recommended item
best_rules as (

    select
        *,
        count(*) over (
            partition by account_id, rule_level, consequent_code
        ) as supporting_rule_count,
        row_number() over (
            partition by account_id, rule_level, consequent_code
            order by rule_score desc, antecedent_revenue_cny desc, antecedent_code asc
        ) as rule_choice
    from candidates

),

ranked as (

    select
        *,
        row_number() over (
            partition by account_id, rule_level
            order by rule_score desc, consequent_code asc
        ) as recommendation_rank
    from best_rules
    where rule_choice = 1

),

final as (

    select
        {{ dbt.concat([
            'ranked.account_id', "'|'", 'ranked.rule_level', "'|'", 'ranked.consequent_code'
        ]) }} as recommendation_key,
        as_of.as_of_date,
        ranked.account_id,
        coalesce(accounts.account_name, ranked.account_id) as account_name,
        coalesce(accounts.owner_rep_id, 'UNKNOWN') as owner_rep_id,
        coalesce(accounts.owner_rep_name, 'UNKNOWN') as owner_rep_name,
        ranked.rule_level,
        {{ marts_int('ranked.recommendation_rank') }} as recommendation_rank,
        ranked.consequent_code as recommended_code,
        ranked.antecedent_code as because_bought_code,
        {{ marts_int('ranked.supporting_rule_count') }} as supporting_rule_count,
        ranked.support,
        ranked.confidence,
        ranked.lift,
        cast({{ marts_round('ranked.rule_score', 4) }} as decimal(12, 4)) as rule_score,
        'Buys ' || ranked.antecedent_code || ' → offer ' || ranked.consequent_code
        || ' (' || {{ marts_format_pct('ranked.confidence') }}
        || ' of the accounts buying ' || ranked.antecedent_code || ' buy it too; lift '
        || {{ marts_format_number('ranked.lift', 2) }} || ')' as reason_en,
        '采购' || ranked.antecedent_code || ' → 推荐' || ranked.consequent_code
        || '(采购' || ranked.antecedent_code || '的客户中' || {{ marts_format_pct('ranked.confidence') }}
        || '也采购该项;提升度' || {{ marts_format_number('ranked.lift', 2) }} || ')' as reason_zh
    from ranked
    cross join as_of
    left join accounts
        on ranked.account_id = accounts.account_id
    where ranked.recommendation_rank <= {{ var('cross_sell_top_n') }}

)

select * from final
