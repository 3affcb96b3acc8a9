{{ config(unique_key=['order_id'], **staging_batch_config()) }}

with

source as (
    {{ select_source('erp', 'orders', batch_key='order_id') }}
),

status_aliases as (
    select
        alias,
        code
    from {{ ref('enum_aliases') }}
    where domain = 'order_status'
),

channel_aliases as (
    select
        alias,
        code
    from {{ ref('enum_aliases') }}
    where domain = 'order_channel'
),

typed as (
    select
        -- ids
        {{ clean_key('source.order_id') }} as order_id,
        {{ clean_key('source.account_id') }} as account_id,
        {{ clean_key('source.rep_id') }} as rep_id,

        -- dates
        {{ parse_date('source.order_date') }} as order_date,
        {{ clean_text('source.order_date') }} as order_date_text,

        -- categories
        channel_aliases.code as channel,
        {{ clean_text('source.channel') }} as channel_text,
        status_aliases.code as status,
        {{ clean_text('source.status') }} as status_text,

        -- numerics
        {{ parse_number('source.order_amount_cny') }} as order_amount_cny,
        {{ clean_text('source.order_amount_cny') }} as order_amount_cny_text,

        -- lineage
        source._source_file,
        source._row_number,
        source._partition_date
    from source
    left join status_aliases
        on {{ normalise_label('source.status') }} = status_aliases.alias
    left join channel_aliases
        on {{ normalise_label('source.channel') }} = channel_aliases.alias
),

validated as (
    select
        *,
        case
            {{ rule_missing('order_id') }}
            {{ rule_key_shape('rep_id') }}
            {{ rule_missing('account_id') }}
            {{ rule_missing('order_date', text_column='order_date_text') }}
            {{ rule_dates('order_date') }}
            {{ rule_missing('status', code='missing_value', text_column='status_text') }}
            {{ rule_enum('status') }}
            {{ rule_enum('channel') }}
            {{ rule_number(
                'order_amount_cny', check='negative',
                plausible_max='plausible_max_document_amount_cny'
            ) }}
        end as quarantine_reason
    from typed
    -- incremental: the window's rows and every copy of their keys
    where {{ in_staging_batch(['order_id']) }}
),

-- business keys that more than one valid row carries: only their copies need ranking
repeated_keys as (
    select order_id
    from validated
    where quarantine_reason is null
    group by order_id
    having count(*) > 1
),

-- the latest delivered copy of a repeated key wins (copy_rank 1): max _partition_date,
-- then max _source_file, then max _row_number; the other copies are duplicates
ranked_copies as (
    select
        validated._source_file,
        validated._row_number,
        row_number() over (
            partition by validated.order_id
            order by
                validated._partition_date desc nulls last,
                validated._source_file desc,
                validated._row_number desc
        ) as copy_rank
    from validated
    inner join repeated_keys
        on
            validated.order_id = repeated_keys.order_id
    where validated.quarantine_reason is null
),

final as (
    select
        validated.order_id,
        validated.account_id,
        validated.rep_id,
        validated.order_date,
        validated.channel,
        validated.status,
        validated.order_amount_cny,
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
