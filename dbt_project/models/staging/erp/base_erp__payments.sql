{{ config(unique_key=['payment_id'], **staging_batch_config()) }}
{#- the rows whose parent this run re-processes: their quarantine rule reads its status -#}
{%- set also_keys_where = "invoice_id in (select invoice_id from "
    ~ ref('base_erp__invoices') ~ " where " ~ in_incremental_window('_partition_date') ~ ')' %}

with

source as (
    {{ select_source(
        'erp', 'payments', batch_key='payment_id', also_keys_where=also_keys_where
    ) }}
),

-- the staged invoice each payment is paid against (its issue date bounds the payment date)
invoices as (
    select
        invoice_id,
        invoice_date
    from {{ ref('base_erp__invoices') }}
    where row_status = 'staged'
),

typed as (
    select
        -- ids
        {{ clean_key('source.payment_id') }} as payment_id,
        {{ clean_key('source.invoice_id') }} as invoice_id,

        -- dates
        {{ parse_date('source.payment_date') }} as payment_date,
        {{ clean_text('source.payment_date') }} as payment_date_text,
        invoices.invoice_date,

        -- numerics
        {{ parse_number('source.paid_amount_cny') }} as paid_amount_cny,
        {{ clean_text('source.paid_amount_cny') }} as paid_amount_cny_text,

        -- lineage
        source._source_file,
        source._row_number,
        source._partition_date
    from source
    left join invoices
        on {{ clean_key('source.invoice_id') }} = invoices.invoice_id
),

validated as (
    select
        *,
        case
            {{ rule_missing('payment_id') }}
            {{ rule_missing('invoice_id') }}
            {{ rule_missing(
                'payment_date', code='missing_value', text_column='payment_date_text'
            ) }}
            {{ rule_dates('payment_date') }}
            {{ rule_missing(
                'paid_amount_cny', code='missing_value', text_column='paid_amount_cny_text'
            ) }}
            {{ rule_number(
                'paid_amount_cny', check='non_positive',
                plausible_max='plausible_max_document_amount_cny'
            ) }}
            when payment_date < invoice_date then 'paid_before_issued:payment_date'
        end as quarantine_reason
    from typed
    -- incremental: the window's rows and every copy of their keys, and of the
    -- keys of invoices re-processed in this run (their status is read above)
    where {{ in_staging_batch(['payment_id'], also_keys_where=also_keys_where) }}
),

-- business keys that more than one valid row carries: only their copies need ranking
repeated_keys as (
    select payment_id
    from validated
    where quarantine_reason is null
    group by payment_id
    having count(*) > 1
),

-- the latest delivered copy of a repeated key wins (copy_rank 1): max _partition_date,
-- then max _source_file, then max _row_number; the other copies are duplicates
ranked_copies as (
    select
        validated._source_file,
        validated._row_number,
        row_number() over (
            partition by validated.payment_id
            order by
                validated._partition_date desc nulls last,
                validated._source_file desc,
                validated._row_number desc
        ) as copy_rank
    from validated
    inner join repeated_keys
        on
            validated.payment_id = repeated_keys.payment_id
    where validated.quarantine_reason is null
),

final as (
    select
        validated.payment_id,
        validated.invoice_id,
        validated.payment_date,
        validated.paid_amount_cny,
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
