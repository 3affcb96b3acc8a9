-- One row per customer complaint.
-- Incremental by complaint day (macros/incremental/): a run rebuilds the days of the
-- window and the days of rows delivered in it.
{{ config(
    materialized='incremental',
    unique_key='complaint_id',
    meta={'business_date': 'created_date'},
    **daily_fact_config('created_month')
) }}
{%- set windowed = incremental_window() is not none %}

with

all_complaints as (
    select * from {{ ref('stg_feedback__complaints') }}
),
{%- if windowed %}

changed_days as (
    {{ touched_days('all_complaints', 'created_at') }}
),
{%- endif %}

complaints as (
    select * from all_complaints
    {%- if windowed %}
    where {{ in_batch_period('created_at') }}
    {%- endif %}
),

final as (
    select
        complaint_id,
        account_id,
        created_at,
        cast(created_at as date) as created_date,
        category,
        severity
    from complaints
)

select
    final.*,
    {{ month_of('final.created_date') }} as created_month
from final
