{{ config(unique_key=['complaint_id'], **staging_batch_config()) }}

with

source as (
    {{ select_source('feedback', 'complaints', batch_key='complaint_id') }}
),

category_aliases as (
    select
        alias,
        code
    from {{ ref('enum_aliases') }}
    where domain = 'complaint_category'
),

severity_aliases as (
    select
        alias,
        code
    from {{ ref('enum_aliases') }}
    where domain = 'severity'
),

typed as (
    select
        -- ids
        {{ clean_key('source.complaint_id') }} as complaint_id,
        {{ clean_key('source.account_id') }} as account_id,

        -- attributes
        category_aliases.code as category,
        {{ clean_text('source.category') }} as category_text,
        severity_aliases.code as severity,
        {{ clean_text('source.severity') }} as severity_text,
        {{ clean_text('source.description') }} as description,

        -- timestamps
        {{ parse_timestamp('source.created_at') }} as created_at,
        {{ clean_text('source.created_at') }} as created_at_text,

        -- lineage
        source._raw_line,
        source._source_file,
        source._row_number,
        source._partition_date
    from source
    left join category_aliases
        on {{ normalise_label('source.category') }} = category_aliases.alias
    left join severity_aliases
        on {{ normalise_label('source.severity') }} = severity_aliases.alias
),

validated as (
    select
        *,
        case
            {{ rule_malformed_json() }}
            {{ rule_missing('complaint_id') }}
            {{ rule_missing('account_id') }}
            {{ rule_missing('created_at', code='missing_value', text_column='created_at_text') }}
            {{ rule_dates('created_at') }}
            {{ rule_enum('category') }}
            {{ rule_enum('severity') }}
        end as quarantine_reason
    from typed
    -- incremental: the window's rows and every copy of their keys
    where {{ in_staging_batch(['complaint_id']) }}
),

-- business keys that more than one valid row carries: only their copies need ranking
repeated_keys as (
    select complaint_id
    from validated
    where quarantine_reason is null
    group by complaint_id
    having count(*) > 1
),

-- the latest delivered copy of a repeated key wins (copy_rank 1): max _partition_date,
-- then max _source_file, then max _row_number; the other copies are duplicates
ranked_copies as (
    select
        validated._source_file,
        validated._row_number,
        row_number() over (
            partition by validated.complaint_id
            order by
                validated._partition_date desc nulls last,
                validated._source_file desc,
                validated._row_number desc
        ) as copy_rank
    from validated
    inner join repeated_keys
        on
            validated.complaint_id = repeated_keys.complaint_id
    where validated.quarantine_reason is null
),

final as (
    select
        validated.complaint_id,
        validated.account_id,
        validated.created_at,
        validated.category,
        validated.severity,
        validated.description,
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
