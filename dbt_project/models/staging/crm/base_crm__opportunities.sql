{{ config(
    unique_key=['opportunity_id', 'stage_code', 'stage_changed_at'],
    **staging_batch_config()
) }}

with

source as (
    {{ select_source('crm', 'opportunities', batch_key='opportunity_id') }}
),

stage_aliases as (
    select
        alias,
        code
    from {{ ref('enum_aliases') }}
    where domain = 'opportunity_stage'
),

typed as (
    select
        -- ids
        {{ clean_key('source.opportunity_id') }} as opportunity_id,
        {{ clean_key('source.account_id') }} as account_id,
        {{ clean_key('source.rep_id') }} as rep_id,

        -- attributes
        {{ clean_text('source.opportunity_name') }} as opportunity_name,
        stage_aliases.code as stage_code,
        {{ clean_text('source.stage') }} as stage_code_text,
        {{ clean_text('source.lost_reason') }} as lost_reason,

        -- numerics
        {{ parse_number('source.amount_cny') }} as amount_cny,
        {{ clean_text('source.amount_cny') }} as amount_cny_text,

        -- dates
        {{ parse_date('source.expected_close_date') }} as expected_close_date,
        {{ clean_text('source.expected_close_date') }} as expected_close_date_text,
        {{ parse_timestamp('source.stage_changed_at') }} as stage_changed_at,
        {{ clean_text('source.stage_changed_at') }} as stage_changed_at_text,

        -- lineage
        source._source_file,
        source._row_number,
        source._partition_date
    from source
    left join stage_aliases
        on {{ normalise_label('source.stage') }} = stage_aliases.alias
),

validated as (
    select
        *,
        case
            {{ rule_missing('opportunity_id') }}
            {{ rule_key_shape('account_id') }}
            {{ rule_key_shape('rep_id') }}
            {{ rule_missing('stage', text_column='stage_code_text') }}
            {{ rule_missing('stage_changed_at', text_column='stage_changed_at_text') }}
            when stage_code_text is not null and stage_code is null
                then 'unknown_enum:stage'
            {{ rule_dates('stage_changed_at') }}
            {{ rule_dates('expected_close_date', check_future=false) }}
            {{ rule_number(
                'amount_cny', check='negative', plausible_max='plausible_max_document_amount_cny'
            ) }}
        end as quarantine_reason
    from typed
    -- incremental: the window's rows and every copy of their keys
    where {{ in_staging_batch(['opportunity_id', 'stage_code', 'stage_changed_at']) }}
),

-- business keys that more than one valid row carries: only their copies need ranking
repeated_keys as (
    select
        opportunity_id,
        stage_code,
        stage_changed_at
    from validated
    where quarantine_reason is null
    group by opportunity_id, stage_code, stage_changed_at
    having count(*) > 1
),

-- the latest delivered copy of a repeated key wins (copy_rank 1): max _partition_date,
-- then max _source_file, then max _row_number; the other copies are duplicates
ranked_copies as (
    select
        validated._source_file,
        validated._row_number,
        row_number() over (
            partition by validated.opportunity_id, validated.stage_code, validated.stage_changed_at
            order by
                validated._partition_date desc nulls last,
                validated._source_file desc,
                validated._row_number desc
        ) as copy_rank
    from validated
    inner join repeated_keys
        on
            validated.opportunity_id = repeated_keys.opportunity_id
            and validated.stage_code = repeated_keys.stage_code
            and validated.stage_changed_at = repeated_keys.stage_changed_at
    where validated.quarantine_reason is null
),

final as (
    select
        validated.opportunity_id,
        validated.account_id,
        validated.rep_id,
        validated.opportunity_name,
        validated.stage_code,
        validated.amount_cny,
        validated.expected_close_date,
        validated.stage_changed_at,
        validated.lost_reason,
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
