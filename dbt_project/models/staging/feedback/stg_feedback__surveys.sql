{{ config(materialized='view') }}

with

base as (
    select * from {{ ref('base_feedback__surveys') }}
    where row_status = 'staged'
),

final as (
    select
        survey_id,
        account_id,
        submitted_at,
        satisfaction_score,
        nps_score,
        comment,
        _source_file,
        _row_number,
        _partition_date
    from base
)

select * from final
