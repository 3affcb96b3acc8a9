-- The review list holds exactly the key accounts (value tier VIP or key) of
-- mart_account_tiers. Returns the accounts missing on one side.

with

key_accounts as (

    select account_id from {{ ref('mart_account_tiers') }}
    where is_key_account

),

reviewed as (

    select account_id from {{ ref('mart_key_account_review') }}

),

missing_from_review as (

    select
        key_accounts.account_id,
        'missing from mart_key_account_review' as problem
    from key_accounts
    left join reviewed
        on key_accounts.account_id = reviewed.account_id
    where reviewed.account_id is null

),

not_a_key_account as (

    select
        reviewed.account_id,
        'reviewed but not a key account' as problem
    from reviewed
    left join key_accounts
        on reviewed.account_id = key_accounts.account_id
    where key_accounts.account_id is null

)

select * from missing_from_review
union all
select * from not_a_key_account
