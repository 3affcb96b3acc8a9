{{ config(unique_key=['survey_id'], **staging_batch_config()) }}

with

source as (
    {{ select_source('feedback', 'surveys', batch_key='survey_id') }}
),

typed as (
    select
        -- ids
        {{ clean_key('survey_id') }} as survey_id,
        {{ clean_key('account_id') }} as account_id,

        -- scores
        {{ parse_number('satisfaction_score') }} as satisfaction_score,
        {{ clean_text('satisfaction_score') }} as satisfaction_score_text,
        {{ parse_number('nps_score') }} as nps_score,
        {{ clean_text('nps_score') }} as nps_score_text,
        {{ clean_text('comment') }} as comment,

        -- timestamps
        {{ parse_timestamp('submitted_at') }} as submitted_at,
        {{ clean_text('submitted_at') }} as submitted_at_text,

        -- lineage
        _raw_line,
        _source_file,
        _row_number,
        _partition_date
    from source
),

validated as (
    select
        *,
        case
            {{ rule_malformed_json() }}
            {{ rule_missing('survey_id') }}
            {{ rule_missing('account_id') }}
            {{ rule_missing(
                'submitted_at', code='missing_value', text_column='submitted_at_text'
            ) }}
            {{ rule_dates('submitted_at') }}
            {{ rule_number(
                'satisfaction_score', check='out_of_range', min_value=1, max_value=5,
                integer_only=true
            ) }}
            {{ rule_number(
                'nps_score', check='out_of_range', min_value=0, max_value=10,
                integer_only=true
            ) }}
        end as quarantine_reason
    from typed
    -- incremental: the window's rows and every copy of their keys
    where {{ in_staging_batch(['survey_id']) }}
),

-- business keys that more than one valid row carries: only their copies need ranking
repeated_keys as (
    select survey_id
    from validated
    where quarantine_reason is null
    group by survey_id
    having count(*) > 1
),

-- the latest delivered copy of a repeated key wins (copy_rank 1): max _partition_date,
-- then max _source_file, then max _row_number; the other copies are duplicates
ranked_copies as (
    select
        validated._source_file,
        validated._row_number,
        row_number() over (
            partition by validated.survey_id
            order by
                validated._partition_date desc nulls last,
                validated._source_file desc,
                validated._row_number desc
        ) as copy_rank
    from validated
    inner join repeated_keys
        on
            validated.survey_id = repeated_keys.survey_id
    where validated.quarantine_reason is null
),

final as (
    select
        validated.survey_id,
        validated.account_id,
        validated.submitted_at,
        cast(validated.satisfaction_score as {{ dbt.type_int() }}) as satisfaction_score,
        cast(validated.nps_score as {{ dbt.type_int() }}) as nps_score,
        validated.comment,
        validated.quarantine_reason,
        {{ row_status() }} as row_status,
        -- the dbt run that last (re)processed the row (incremental staging)
        '{{ invocation_id }}' as dbt_invocation_id,
        validated._source_file,
        validated._row_number,
        validated._partition_date
    from validated
    left join ranked_copies
        on
            validated._source_file = ranked_copies._source_file
            and validated._row_number = ranked_copies._row_number
)

select * from final
