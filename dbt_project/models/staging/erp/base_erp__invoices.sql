{{ config(unique_key=['invoice_id'], **staging_batch_config()) }}

with

source as (
    {{ select_source('erp', 'invoices', batch_key='invoice_id') }}
),

typed as (
    select
        -- ids
        {{ clean_key('invoice_id') }} as invoice_id,
        {{ clean_key('order_id') }} as order_id,
        {{ clean_key('account_id') }} as account_id,

        -- dates
        {{ parse_date('invoice_date') }} as invoice_date,
        {{ clean_text('invoice_date') }} as invoice_date_text,
        {{ parse_date('due_date') }} as due_date,
        {{ clean_text('due_date') }} as due_date_text,

        -- numerics
        {{ parse_number('invoice_amount_cny') }} as invoice_amount_cny,
        {{ clean_text('invoice_amount_cny') }} as invoice_amount_cny_text,

        -- lineage
        _source_file,
        _row_number,
        _partition_date
    from source
),

validated as (
    select
        *,
        case
            {{ rule_missing('invoice_id') }}
            {{ rule_key_shape('order_id') }}
            {{ rule_missing('account_id') }}
            {{ rule_missing(
                'invoice_date', code='missing_value', text_column='invoice_date_text'
            ) }}
            {{ rule_dates('invoice_date') }}
            {{ rule_dates('due_date', check_future=false) }}
            {{ rule_missing(
                'invoice_amount_cny', code='missing_value',
                text_column='invoice_amount_cny_text'
            ) }}
            {{ rule_number(
                'invoice_amount_cny', check='negative',
                plausible_max='plausible_max_document_amount_cny'
            ) }}
        end as quarantine_reason
    from typed
    -- incremental: the window's rows and every copy of their keys
    where {{ in_staging_batch(['invoice_id']) }}
),

-- business keys that more than one valid row carries: only their copies need ranking
repeated_keys as (
    select invoice_id
    from validated
    where quarantine_reason is null
    group by invoice_id
    having count(*) > 1
),

-- the latest delivered copy of a repeated key wins (copy_rank 1): max _partition_date,
-- then max _source_file, then max _row_number; the other copies are duplicates
ranked_copies as (
    select
        validated._source_file,
        validated._row_number,
        row_number() over (
            partition by validated.invoice_id
            order by
                validated._partition_date desc nulls last,
                validated._source_file desc,
                validated._row_number desc
        ) as copy_rank
    from validated
    inner join repeated_keys
        on
            validated.invoice_id = repeated_keys.invoice_id
    where validated.quarantine_reason is null
),

final as (
    select
        validated.invoice_id,
        validated.order_id,
        validated.account_id,
        validated.invoice_date,
        validated.due_date,
        validated.invoice_amount_cny,
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
