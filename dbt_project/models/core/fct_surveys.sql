-- One row per satisfaction survey answer, with its NPS class.
-- Incremental by submission day (macros/incremental/): a run rebuilds the days of the
-- window and the days of rows delivered in it.
{{ config(
    materialized='incremental',
    unique_key='survey_id',
    meta={'business_date': 'submitted_date'},
    **daily_fact_config('submitted_month')
) }}
{%- set windowed = incremental_window() is not none %}

with

all_surveys as (
    select * from {{ ref('stg_feedback__surveys') }}
),
{%- if windowed %}

changed_days as (
    {{ touched_days('all_surveys', 'submitted_at') }}
),
{%- endif %}

surveys as (
    select * from all_surveys
    {%- if windowed %}
    where {{ in_batch_period('submitted_at') }}
    {%- endif %}
),

final as (
    select
        survey_id,
        account_id,
        submitted_at,
        cast(submitted_at as date) as submitted_date,
        satisfaction_score,
        nps_score,
        case
            when nps_score >= 9 then 'promoter'
            when nps_score >= 7 then 'passive'
            when nps_score >= 0 then 'detractor'
        end as nps_class
    from surveys
)

select
    final.*,
    {{ month_of('final.submitted_date') }} as submitted_month
from final
