{#-
    select_source(source_name, table_name): `select <every documented column> from <source>`.

    The one place staging reads a raw table. It makes staging robust to what a delivery
    can look like:
    - a column the contract documents but the raw table lacks (an older table, a column
      added to the contract later) is selected as a typed null;
    - a raw table that does not exist at all (an entity never delivered, e.g. an
      orders-only export) becomes an empty relation with the documented columns, so the
      whole project still builds;
    - extra columns in the raw table are ignored.
    The documented columns (and their `data_type`) come from the source's YAML.
-#}
{% macro select_source(source_name, table_name) -%}
    {%- set relation = source(source_name, table_name) -%}
    {%- if not execute -%}
        select * from {{ relation }}
    {%- else -%}
        {%- set node = graph.sources.values()
            | selectattr('source_name', 'equalto', source_name)
            | selectattr('name', 'equalto', table_name)
            | first -%}
        {%- set existing = adapter.get_relation(
            database=relation.database, schema=relation.schema, identifier=relation.identifier
        ) -%}
        {%- set present = [] -%}
        {%- if existing is not none -%}
            {%- for column in adapter.get_columns_in_relation(existing) -%}
                {%- do present.append(column.name | lower) -%}
            {%- endfor -%}
        {%- endif -%}
        {%- set selected = [] -%}
        {%- for name, column in node.columns.items() -%}
            {%- if name | lower in present -%}
                {%- do selected.append(adapter.quote(name)) -%}
            {%- else -%}
                {%- set data_type = column.data_type or 'varchar' -%}
                {%- set data_type = dbt.type_string() if data_type == 'varchar' else data_type -%}
                {%- do selected.append(
                    'cast(null as ' ~ data_type ~ ') as ' ~ adapter.quote(name)
                ) -%}
            {%- endif -%}
        {%- endfor %}
        select
            {{ selected | join(',\n            ') }}
        {%- if existing is not none %}
        from {{ relation }}
        {%- else %}
        where 1 = 0 {#- the entity was never delivered: no raw table yet -#}
        {%- endif %}
    {%- endif -%}
{%- endmacro %}
