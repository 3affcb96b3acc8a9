{{ config(unique_key=['activity_id'], **staging_batch_config()) }}

with

source as (
    {{ select_source('crm', 'activities', batch_key='activity_id') }}
),

activity_type_aliases as (
    select
        alias,
        code
    from {{ ref('enum_aliases') }}
    where domain = 'activity_type'
),

typed as (
    select
        -- ids
        {{ clean_key('source.activity_id') }} as activity_id,
        {{ clean_key('source.account_id') }} as account_id,
        {{ clean_key('source.rep_id') }} as rep_id,

        -- attributes
        activity_type_aliases.code as activity_type,
        {{ clean_text('source.activity_type') }} as activity_type_text,

        -- numerics
        {{ parse_number('source.duration_minutes', dbt.type_int()) }} as duration_minutes,
        {{ clean_text('source.duration_minutes') }} as duration_minutes_text,

        -- timestamps
        {{ parse_timestamp('source.activity_at') }} as activity_at,
        {{ clean_text('source.activity_at') }} as activity_at_text,

        -- lineage
        source._source_file,
        source._row_number,
        source._partition_date
    from source
    left join activity_type_aliases
        on {{ normalise_label('source.activity_type') }} = activity_type_aliases.alias
),

validated as (
    select
        *,
        case
            {{ rule_missing('activity_id') }}
            {{ rule_key_shape('rep_id') }}
            {{ rule_missing('account_id') }}
            {{ rule_missing('activity_at', code='missing_value', text_column='activity_at_text') }}
            {{ rule_dates('activity_at') }}
            {{ rule_enum('activity_type') }}
            {{ rule_number('duration_minutes', check='negative') }}
        end as quarantine_reason
    from typed
    -- incremental: the window's rows and every copy of their keys
    where {{ in_staging_batch(['activity_id']) }}
),

-- business keys that more than one valid row carries: only their copies need ranking
repeated_keys as (
    select activity_id
    from validated
    where quarantine_reason is null
    group by activity_id
    having count(*) > 1
),

-- the latest delivered copy of a repeated key wins (copy_rank 1): max _partition_date,
-- then max _source_file, then max _row_number; the other copies are duplicates
ranked_copies as (
    select
        validated._source_file,
        validated._row_number,
        row_number() over (
            partition by validated.activity_id
            order by
                validated._partition_date desc nulls last,
                validated._source_file desc,
                validated._row_number desc
        ) as copy_rank
    from validated
    inner join repeated_keys
        on
            validated.activity_id = repeated_keys.activity_id
    where validated.quarantine_reason is null
),

final as (
    select
        validated.activity_id,
        validated.account_id,
        validated.rep_id,
        validated.activity_type,
        validated.activity_at,
        validated.duration_minutes,
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
