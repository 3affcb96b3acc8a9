-- One row per satisfaction survey answer, with its NPS class.

with

surveys as (
    select * from {{ ref('stg_feedback__surveys') }}
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

select * from final
