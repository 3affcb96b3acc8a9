{{ config(unique_key=['ticket_id'], **staging_batch_config()) }}

with

source as (
    {{ select_source('feedback', 'tickets', batch_key='ticket_id') }}
),

severity_aliases as (
    select
        alias,
        code
    from {{ ref('enum_aliases') }}
    where domain = 'ticket_severity'
),

channel_aliases as (
    select
        alias,
        code
    from {{ ref('enum_aliases') }}
    where domain = 'ticket_channel'
),

typed as (
    select
        -- ids
        {{ clean_key('source.ticket_id') }} as ticket_id,
        {{ clean_key('source.account_id') }} as account_id,

        -- attributes
        severity_aliases.code as severity,
        {{ clean_text('source.severity') }} as severity_text,
        channel_aliases.code as channel,
        {{ clean_text('source.channel') }} as channel_text,

        -- timestamps
        {{ parse_timestamp('source.opened_at') }} as opened_at,
        {{ clean_text('source.opened_at') }} as opened_at_text,
        {{ parse_timestamp('source.first_response_at') }} as first_response_at,
        {{ clean_text('source.first_response_at') }} as first_response_at_text,
        {{ parse_timestamp('source.resolved_at') }} as resolved_at,
        {{ clean_text('source.resolved_at') }} as resolved_at_text,

        -- lineage
        source._raw_line,
        source._source_file,
        source._row_number,
        source._partition_date
    from source
    left join severity_aliases
        on {{ normalise_label('source.severity') }} = severity_aliases.alias
    left join channel_aliases
        on {{ normalise_label('source.channel') }} = channel_aliases.alias
),

validated as (
    select
        *,
        case
            {{ rule_malformed_json() }}
            {{ rule_missing('ticket_id') }}
            {{ rule_missing('account_id') }}
            {{ rule_missing('opened_at', text_column='opened_at_text') }}
            {{ rule_dates('opened_at') }}
            {{ rule_dates('first_response_at') }}
            {{ rule_dates('resolved_at') }}
            when first_response_at < opened_at then 'before_opened:first_response_at'
            when resolved_at < opened_at then 'before_opened:resolved_at'
            {{ rule_enum('severity') }}
            {{ rule_enum('channel') }}
        end as quarantine_reason
    from typed
    -- incremental: the window's rows and every copy of their keys
    where {{ in_staging_batch(['ticket_id']) }}
),

-- business keys that more than one valid row carries: only their copies need ranking
repeated_keys as (
    select ticket_id
    from validated
    where quarantine_reason is null
    group by ticket_id
    having count(*) > 1
),

-- the latest delivered copy of a repeated key wins (copy_rank 1): max _partition_date,
-- then max _source_file, then max _row_number; the other copies are duplicates
ranked_copies as (
    select
        validated._source_file,
        validated._row_number,
        row_number() over (
            partition by validated.ticket_id
            order by
                validated._partition_date desc nulls last,
                validated._source_file desc,
                validated._row_number desc
        ) as copy_rank
    from validated
    inner join repeated_keys
        on
            validated.ticket_id = repeated_keys.ticket_id
    where validated.quarantine_reason is null
),

final as (
    select
        validated.ticket_id,
        validated.account_id,
        validated.opened_at,
        validated.first_response_at,
        validated.resolved_at,
        validated.severity,
        validated.channel,
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
