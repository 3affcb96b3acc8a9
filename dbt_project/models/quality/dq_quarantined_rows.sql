-- One row per quarantined raw row of every entity: where it was delivered, the first rule
-- it failed, and its delivered values as a JSON object: personal data columns left out,
-- every other value through redact_personal_data (a mis-shaped row shifts personal values
-- into other columns).
-- Incremental by file (macros/incremental/quality_batch.sql): a windowed run re-lists
-- the files holding a base_ row it re-processed.
{{ config(**quality_batch_config()) }}

with

{% for system, entity in source_entities() %}
{%- set delivered = delivered_columns(system, entity) %}
{%- set personal_entity = personal_data_columns(system, entity) | length > 0 %}
source_{{ system }}__{{ entity }} as (
    {{ select_source(system, entity) }}
),

delivered_{{ system }}__{{ entity }} as (
    select
    {%- for column in delivered %}
        {{ redact_personal_data(adapter.quote(column), personal_entity) }}
        as {{ adapter.quote(column) }},
    {%- endfor %}
        _source_file,
        _row_number,
        _file_sha256,
        _loaded_at
    from source_{{ system }}__{{ entity }}
),

quarantined_{{ system }}__{{ entity }} as (
    select
        '{{ system }}/{{ entity }}' as entity,
        base._source_file as source_file,
        base._row_number as row_number,
        base._partition_date as partition_date,
        delivered._file_sha256 as file_sha256,
        delivered._loaded_at as loaded_at,
        base.quarantine_reason,
        {% if delivered -%}
        {{ row_to_json(delivered, 'delivered') }}
        {%- else -%}
        cast(null as {{ dbt.type_string() }})
        {%- endif %} as original_values
    from {{ ref('base_' ~ system ~ '__' ~ entity) }} as base
    inner join delivered_{{ system }}__{{ entity }} as delivered
        on
            base._source_file = delivered._source_file
            and base._row_number = delivered._row_number
    where
        base.row_status = 'quarantined'
        and {{ in_reprocessed_file(system, entity, 'base._source_file') }}
),
{% endfor %}

unioned as (
    {%- for system, entity in source_entities() %}
    select * from quarantined_{{ system }}__{{ entity }}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

final as (
    select
        {{ hash_key(['entity', 'source_file', 'row_number']) }} as quarantined_row_key,
        entity,
        source_file,
        row_number,
        partition_date,
        file_sha256,
        loaded_at,
        quarantine_reason,
        {{ dbt.split_part('quarantine_reason', "':'", 1) }} as reason_code,
        case
            when quarantine_reason like '%:%'
                then {{ dbt.split_part('quarantine_reason', "':'", 2) }}
        end as reason_column,
        original_values
    from unioned
)

select * from final
