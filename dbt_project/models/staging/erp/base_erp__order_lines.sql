{{ config(unique_key=['order_id', 'line_no'], **staging_batch_config()) }}
{#- the rows whose parent this run re-processes: their quarantine rule reads its status -#}
{%- set also_keys_where = "order_id in (select order_id from "
    ~ ref('base_erp__orders') ~ " where " ~ in_incremental_window('_partition_date') ~ ')' %}

with

source as (
    {{ select_source(
        'erp', 'order_lines', batch_key='order_id', also_keys_where=also_keys_where
    ) }}
),

-- the staged copy of each order (unique order_id): a line of such an order is attached
staged_orders as (
    select order_id
    from {{ ref('base_erp__orders') }}
    where row_status = 'staged'
),

-- orders delivered but quarantined in every copy: their lines follow them into quarantine
quarantined_orders as (
    select distinct order_id
    from {{ ref('base_erp__orders') }}
    where row_status = 'quarantined' and order_id is not null
),

typed as (
    select
        -- ids
        {{ clean_key('source.order_id') }} as order_id,
        {{ parse_number('source.line_no', dbt.type_bigint()) }} as line_no,
        {{ clean_text('source.line_no') }} as line_no_text,
        {{ clean_key('source.product_id') }} as product_id,

        -- numerics
        {{ parse_number('source.quantity') }} as quantity,
        {{ clean_text('source.quantity') }} as quantity_text,
        {{ parse_number('source.unit_price_cny') }} as unit_price_cny,
        {{ clean_text('source.unit_price_cny') }} as unit_price_cny_text,
        -- discount: a fraction (0.15), or a percentage when delivered with '%' (15%)
        cast(
            {{ parse_number("replace(source.discount_pct, '%', '')", 'decimal(18,4)') }}
            / case when right(trim(source.discount_pct), 1) = '%' then 100 else 1 end
            as decimal(18, 4)
        ) as discount_pct,
        {{ clean_text('source.discount_pct') }} as discount_pct_text,
        {{ parse_number('source.unit_cost_cny') }} as unit_cost_cny,
        {{ clean_text('source.unit_cost_cny') }} as unit_cost_cny_text,

        -- parent order
        staged_orders.order_id is not null as has_staged_order,
        quarantined_orders.order_id is not null as has_quarantined_order,

        -- lineage
        source._source_file,
        source._row_number,
        source._partition_date
    from source
    left join staged_orders
        on {{ clean_key('source.order_id') }} = staged_orders.order_id
    left join quarantined_orders
        on {{ clean_key('source.order_id') }} = quarantined_orders.order_id
),

validated as (
    select
        *,
        case
            {{ rule_missing('order_id') }}
            {{ rule_missing('line_no', text_column='line_no_text') }}
            {{ rule_number('line_no', check='non_positive') }}
            {{ rule_missing('product_id') }}
            {{ rule_missing('quantity', code='missing_value', text_column='quantity_text') }}
            {{ rule_number(
                'quantity', check='non_positive', plausible_max='plausible_max_quantity'
            ) }}
            {{ rule_missing(
                'unit_price_cny', code='missing_value', text_column='unit_price_cny_text'
            ) }}
            {{ rule_number(
                'unit_price_cny', check='negative', plausible_max='plausible_max_unit_price_cny'
            ) }}
            {{ rule_number('discount_pct', check='out_of_range', min_value=0, max_value=1) }}
            {{ rule_number(
                'unit_cost_cny', check='negative', plausible_max='plausible_max_unit_price_cny'
            ) }}
            {{ rule_plausible(
                'line_amount_cny', 'quantity * unit_price_cny', 'plausible_max_line_amount_cny'
            ) }}
            when not has_staged_order and not has_quarantined_order
                then 'orphan_order:order_id'
            when not has_staged_order then 'quarantined_order:order_id'
        end as quarantine_reason
    from typed
    -- incremental: the window's rows and every copy of their keys, and of the
    -- keys of orders re-processed in this run (their status is read above)
    where {{ in_staging_batch(['order_id', 'line_no'], also_keys_where=also_keys_where) }}
),

-- business keys that more than one valid row carries: only their copies need ranking
repeated_keys as (
    select
        order_id,
        line_no
    from validated
    where quarantine_reason is null
    group by order_id, line_no
    having count(*) > 1
),

-- the latest delivered copy of a repeated key wins (copy_rank 1): max _partition_date,
-- then max _source_file, then max _row_number; the other copies are duplicates
ranked_copies as (
    select
        validated._source_file,
        validated._row_number,
        row_number() over (
            partition by validated.order_id, validated.line_no
            order by
                validated._partition_date desc nulls last,
                validated._source_file desc,
                validated._row_number desc
        ) as copy_rank
    from validated
    inner join repeated_keys
        on
            validated.order_id = repeated_keys.order_id
            and validated.line_no = repeated_keys.line_no
    where validated.quarantine_reason is null
),

final as (
    select
        validated.order_id,
        validated.line_no,
        validated.product_id,
        validated.quantity,
        validated.unit_price_cny,
        validated.discount_pct,
        validated.unit_cost_cny,
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
