-- ABC classes are contiguous along the revenue ranking: no account is in a better class
-- than an account ranked above it. Returns the offending accounts.

with

account_tiers as (

    select
        account_id,
        revenue_rank,
        abc_class,
        max(abc_class) over (
            order by revenue_rank
            rows between unbounded preceding and 1 preceding
        ) as worst_class_above
    from {{ ref('mart_account_tiers') }}

)

select * from account_tiers
where abc_class < worst_class_above
