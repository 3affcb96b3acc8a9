-- One row per replaced copy of a business key whose identifying attribute differs from
-- the copy that was kept (the later delivery wins): the key, the attribute, both values
-- and where each copy was delivered. Which attributes count: identifying_attributes().

with

{% for entry in identifying_attributes() %}
{%- set system, entity = entry.entity.split('/') %}
{%- set model = 'base_' ~ system ~ '__' ~ entity %}
{%- for attribute in entry.attributes %}
{{ system }}__{{ entity }}__{{ attribute }} as (
    select
        '{{ entry.entity }}' as entity,
        '{{ entry.key | join("|") }}' as key_columns,
        {{ key_text(entry.key, 'kept') }} as key_value,
        '{{ attribute }}' as attribute,
        cast(kept.{{ attribute }} as {{ dbt.type_string() }}) as kept_value,
        cast(replaced.{{ attribute }} as {{ dbt.type_string() }}) as replaced_value,
        kept._source_file as kept_source_file,
        kept._row_number as kept_row_number,
        kept._partition_date as kept_partition_date,
        replaced._source_file as replaced_source_file,
        replaced._row_number as replaced_row_number,
        replaced._partition_date as replaced_partition_date
    from {{ ref(model) }} as kept
    inner join {{ ref(model) }} as replaced
        on
            {%- for column in entry.key %}
            {% if not loop.first %}and {% endif %}kept.{{ column }} = replaced.{{ column }}
            {%- endfor %}
    where
        kept.row_status = 'staged'
        and replaced.row_status = 'duplicate'
        and (
            kept.{{ attribute }} <> replaced.{{ attribute }}
            or (kept.{{ attribute }} is null) <> (replaced.{{ attribute }} is null)
        )
),
{% endfor %}
{%- endfor %}

final as (
    {%- for entry in identifying_attributes() %}
    {%- set system, entity = entry.entity.split('/') %}
    {%- set outer_last = loop.last %}
    {%- for attribute in entry.attributes %}
    select * from {{ system }}__{{ entity }}__{{ attribute }}
    {%- if not (outer_last and loop.last) %}
    union all
    {%- endif %}
    {%- endfor %}
    {%- endfor %}
)

select * from final
