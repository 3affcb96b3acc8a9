-- One row per delivered file of every entity: how its rows were accounted for. A file
-- reconciles when every delivered row is staged, quarantined or a duplicate, and the
-- staged rows are exactly the rows the stg_ model exposes.
-- Incremental by file (macros/incremental/quality_batch.sql): a windowed run re-counts
-- the files holding a base_ row it re-processed.
{{ config(**quality_batch_config()) }}

with

{% for system, entity in source_entities() %}
raw_{{ system }}__{{ entity }} as (
    {{ select_source(system, entity) }}
),

delivered_{{ system }}__{{ entity }} as (
    select
        '{{ system }}/{{ entity }}' as entity,
        _source_file as source_file,
        min(_partition_date) as partition_date,
        min(_file_sha256) as file_sha256,
        max(_loaded_at) as loaded_at,
        cast(count(*) as {{ dbt.type_bigint() }}) as delivered_rows,
        0 as base_rows,
        0 as classified_staged_rows,
        0 as quarantined_rows,
        0 as duplicate_rows,
        0 as staged_rows
    from raw_{{ system }}__{{ entity }}
    where {{ in_reprocessed_file(system, entity, '_source_file') }}
    group by _source_file
),

classified_{{ system }}__{{ entity }} as (
    select
        '{{ system }}/{{ entity }}' as entity,
        _source_file as source_file,
        min(_partition_date) as partition_date,
        cast(null as {{ dbt.type_string() }}) as file_sha256,
        cast(null as {{ dbt.type_timestamp() }}) as loaded_at,
        0 as delivered_rows,
        count(*) as base_rows,
        sum(case when row_status = 'staged' then 1 else 0 end) as classified_staged_rows,
        sum(case when row_status = 'quarantined' then 1 else 0 end) as quarantined_rows,
        sum(case when row_status = 'duplicate' then 1 else 0 end) as duplicate_rows,
        0 as staged_rows
    from {{ ref('base_' ~ system ~ '__' ~ entity) }}
    where {{ in_reprocessed_file(system, entity, '_source_file') }}
    group by _source_file
),

staged_{{ system }}__{{ entity }} as (
    select
        '{{ system }}/{{ entity }}' as entity,
        _source_file as source_file,
        min(_partition_date) as partition_date,
        cast(null as {{ dbt.type_string() }}) as file_sha256,
        cast(null as {{ dbt.type_timestamp() }}) as loaded_at,
        0 as delivered_rows,
        0 as base_rows,
        0 as classified_staged_rows,
        0 as quarantined_rows,
        0 as duplicate_rows,
        count(*) as staged_rows
    from {{ ref('stg_' ~ system ~ '__' ~ entity) }}
    where {{ in_reprocessed_file(system, entity, '_source_file') }}
    group by _source_file
),
{% endfor %}

counts as (
    {%- for system, entity in source_entities() %}
    select * from delivered_{{ system }}__{{ entity }}
    union all
    select * from classified_{{ system }}__{{ entity }}
    union all
    select * from staged_{{ system }}__{{ entity }}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

per_file as (
    select
        entity,
        source_file,
        min(partition_date) as partition_date,
        min(file_sha256) as file_sha256,
        max(loaded_at) as loaded_at,
        cast(sum(delivered_rows) as {{ dbt.type_bigint() }}) as delivered_rows,
        cast(sum(base_rows) as {{ dbt.type_bigint() }}) as base_rows,
        cast(sum(classified_staged_rows) as {{ dbt.type_bigint() }}) as classified_staged_rows,
        cast(sum(staged_rows) as {{ dbt.type_bigint() }}) as staged_rows,
        cast(sum(quarantined_rows) as {{ dbt.type_bigint() }}) as quarantined_rows,
        cast(sum(duplicate_rows) as {{ dbt.type_bigint() }}) as duplicate_rows
    from counts
    group by entity, source_file
),

final as (
    select
        entity,
        source_file,
        partition_date,
        file_sha256,
        loaded_at,
        delivered_rows,
        staged_rows,
        quarantined_rows,
        duplicate_rows,
        delivered_rows - staged_rows - quarantined_rows - duplicate_rows as unaccounted_rows,
        delivered_rows = staged_rows + quarantined_rows + duplicate_rows
        and staged_rows = classified_staged_rows
        and base_rows = delivered_rows as is_reconciled
    from per_file
)

select * from final
