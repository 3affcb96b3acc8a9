-- New accounts in mart_kpi_monthly add up to the accounts of mart_account_rfm (each account
-- is new exactly once, in its first-order month). Returns a row when they differ.

with

kpi as (

    select coalesce(sum(new_account_count), 0) as new_accounts
    from {{ ref('mart_kpi_monthly') }}

),

accounts as (

    select count(*) as account_count
    from {{ ref('mart_account_rfm') }}

)

select
    kpi.new_accounts,
    accounts.account_count
from kpi
cross join accounts
where kpi.new_accounts <> accounts.account_count
