-- One row per account with a survey or a complaint up to the as-of date: satisfaction over
-- the window, over the last 3 rolling months (recent) and over the rest of the window
-- (baseline), and complaint counts of the last 3 rolling months vs the 3 before.

with

surveys as (

    select * from {{ ref('fct_surveys') }}
    where satisfaction_score is not null

),

complaints as (

    select * from {{ ref('fct_complaints') }}

),

as_of as (

    select * from {{ ref('int_as_of_date') }}

),

window_surveys as (

    select
        surveys.account_id,
        cast(surveys.satisfaction_score as {{ marts_type_double() }}) as satisfaction_score,
        surveys.submitted_date >= as_of.quarter_start_date as is_recent
    from surveys
    cross join as_of
    where
        surveys.submitted_date >= as_of.window_start_date
        and surveys.submitted_date <= as_of.as_of_date

),

satisfaction as (

    select
        account_id,
        count(*) as window_survey_count,
        avg(satisfaction_score) as satisfaction_window_avg,
        sum(case when is_recent then 1 else 0 end) as recent_survey_count,
        avg(case when is_recent then satisfaction_score end) as satisfaction_recent_avg,
        sum(case when not is_recent then 1 else 0 end) as baseline_survey_count,
        avg(case when not is_recent then satisfaction_score end) as satisfaction_baseline_avg
    from window_surveys
    group by account_id

),

complaint_counts as (

    select
        complaints.account_id,
        sum(
            case
                when complaints.created_date >= as_of.window_start_date then 1 else 0
            end
        ) as window_complaint_count,
        sum(
            case
                when complaints.created_date >= as_of.quarter_start_date then 1 else 0
            end
        ) as complaints_quarter,
        sum(
            case
                when
                    complaints.created_date >= as_of.prior_quarter_start_date
                    and complaints.created_date <= as_of.prior_quarter_end_date
                    then 1
                else 0
            end
        ) as complaints_prior_quarter
    from complaints
    cross join as_of
    where complaints.created_date <= as_of.as_of_date
    group by complaints.account_id

),

accounts as (

    select account_id from satisfaction
    union
    select account_id from complaint_counts

),

final as (

    select
        accounts.account_id,
        coalesce(satisfaction.window_survey_count, 0) as window_survey_count,
        {{ marts_round('satisfaction.satisfaction_window_avg', 4) }} as satisfaction_window_avg,
        coalesce(satisfaction.recent_survey_count, 0) as recent_survey_count,
        {{ marts_round('satisfaction.satisfaction_recent_avg', 4) }} as satisfaction_recent_avg,
        coalesce(satisfaction.baseline_survey_count, 0) as baseline_survey_count,
        {{ marts_round('satisfaction.satisfaction_baseline_avg', 4) }} as satisfaction_baseline_avg,
        coalesce(complaint_counts.window_complaint_count, 0) as window_complaint_count,
        coalesce(complaint_counts.complaints_quarter, 0) as complaints_quarter,
        coalesce(complaint_counts.complaints_prior_quarter, 0) as complaints_prior_quarter
    from accounts
    left join satisfaction
        on accounts.account_id = satisfaction.account_id
    left join complaint_counts
        on accounts.account_id = complaint_counts.account_id

)

select * from final
