{{ config(materialized='table') }}

with

source as (
    {{ select_source('erp', 'products') }}
),

typed as (
    select
        -- ids
        {{ clean_key('product_id') }} as product_id,

        -- attributes
        {{ clean_text('product_name') }} as product_name,
        {{ clean_text('category') }} as category,
        {{ clean_text('product_line') }} as product_line,

        -- numerics
        {{ parse_number('list_price_cny') }} as list_price_cny,
        {{ clean_text('list_price_cny') }} as list_price_cny_text,
        {{ parse_number('unit_cost_cny') }} as unit_cost_cny,
        {{ clean_text('unit_cost_cny') }} as unit_cost_cny_text,

        -- dates
        {{ parse_date('launched_date') }} as launched_date,
        {{ clean_text('launched_date') }} as launched_date_text,

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
            {{ rule_missing('product_id') }}
            {{ rule_number(
                'list_price_cny', check='negative', plausible_max='plausible_max_unit_price_cny'
            ) }}
            {{ rule_number(
                'unit_cost_cny', check='negative', plausible_max='plausible_max_unit_price_cny'
            ) }}
            {{ rule_dates('launched_date', check_future=false) }}
        end as quarantine_reason
    from typed
),

-- business keys that more than one valid row carries: only their copies need ranking
repeated_keys as (
    select product_id
    from validated
    where quarantine_reason is null
    group by product_id
    having count(*) > 1
),

-- the latest delivered copy of a repeated key wins (copy_rank 1): max _partition_date,
-- then max _source_file, then max _row_number; the other copies are duplicates
ranked_copies as (
    select
        validated._source_file,
        validated._row_number,
        row_number() over (
            partition by validated.product_id
            order by
                validated._partition_date desc nulls last,
                validated._source_file desc,
                validated._row_number desc
        ) as copy_rank
    from validated
    inner join repeated_keys
        on
            validated.product_id = repeated_keys.product_id
    where validated.quarantine_reason is null
),

final as (
    select
        validated.product_id,
        validated.product_name,
        validated.category,
        validated.product_line,
        validated.list_price_cny,
        validated.unit_cost_cny,
        validated.launched_date,
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
