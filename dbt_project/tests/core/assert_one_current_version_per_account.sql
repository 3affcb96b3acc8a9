-- Every account of the SCD2 history has exactly one current version, and the versions of
-- an account do not overlap: each version ends where the next one starts.

with

account_history as (
    select * from {{ ref('dim_accounts_history') }}
),

current_versions as (
    select
        account_id,
        sum(case when is_current then 1 else 0 end) as current_count
    from account_history
    group by account_id
),

successors as (
    select
        account_id,
        valid_from,
        valid_to,
        lead(valid_from) over (partition by account_id order by valid_from) as next_valid_from
    from account_history
),

failures as (
    select
        account_id,
        {{ dbt.concat([
            "'current versions: '", 'cast(current_count as ' ~ dbt.type_string() ~ ')'
        ]) }} as problem
    from current_versions
    where current_count <> 1
    union all
    select
        account_id,
        {{ dbt.concat([
            "'gap or overlap after '", 'cast(valid_from as ' ~ dbt.type_string() ~ ')'
        ]) }} as problem
    from successors
    where
        next_valid_from is not null
        and (valid_to is null or valid_to <> next_valid_from)
)

select * from failures
