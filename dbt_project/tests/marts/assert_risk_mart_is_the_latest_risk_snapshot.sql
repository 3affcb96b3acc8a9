-- One definition of the risk warning: mart_account_risk (signals with readable reasons) and
-- the latest snapshot of int_account_risk_snapshots (the backtest's evaluation) agree on
-- every account's score, level and fired signals. Returns mismatches.

{%- set signal_codes = risk_signal_codes() %}

with

latest as (

    select * from {{ ref('int_account_risk_snapshots') }}
    where is_latest

),

account_risk as (

    select * from {{ ref('mart_account_risk') }}

)

select
    coalesce(account_risk.account_id, latest.account_id) as account_id,
    account_risk.risk_score,
    latest.risk_score as snapshot_risk_score,
    account_risk.risk_level_code,
    latest.risk_level_code as snapshot_risk_level_code
from account_risk
full outer join latest
    on account_risk.account_id = latest.account_id
where
    account_risk.account_id is null
    or latest.account_id is null
    or account_risk.risk_score <> latest.risk_score
    or account_risk.risk_level_code <> latest.risk_level_code
    {%- for code in signal_codes %}
    or account_risk.has_{{ code }} <> latest.has_{{ code }}
    {%- endfor %}
