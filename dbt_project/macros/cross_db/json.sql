{#-
    row_to_json(columns, relation_alias=none): the values of `columns` of one row as a JSON
    object string, e.g. {"order_id":"O-1","order_date":"2024-02-30"}; null values stay
    JSON null. Used to keep the delivered values of a quarantined row.
-#}
{% macro row_to_json(columns, relation_alias=none) -%}
    {{ return(adapter.dispatch('row_to_json', 'ka_pipeline')(columns, relation_alias)) }}
{%- endmacro %}

{% macro default__row_to_json(columns, relation_alias=none) -%}
    {%- set prefix = relation_alias ~ '.' if relation_alias else '' -%}
    {%- set parts = ["'{'"] -%}
    {%- for column in columns -%}
        {%- set value = prefix ~ adapter.quote(column) -%}
        {%- do parts.append("'" ~ ('' if loop.first else ',') ~ '"' ~ column ~ '":' ~ "'") -%}
        {%- do parts.append(
            "coalesce('\"' || replace(replace(cast(" ~ value ~ " as " ~ dbt.type_string()
            ~ "), '\\', '\\\\'), '\"', '\\\"') || '\"', 'null')"
        ) -%}
    {%- endfor -%}
    {%- do parts.append("'}'") -%}
    {{ dbt.concat(parts) }}
{%- endmacro %}

{% macro duckdb__row_to_json(columns, relation_alias=none) -%}
    {%- set prefix = relation_alias ~ '.' if relation_alias else '' -%}
    {%- set fields = [] -%}
    {%- for column in columns -%}
        {%- do fields.append(adapter.quote(column) ~ ' := ' ~ prefix ~ adapter.quote(column)) -%}
    {%- endfor %}
    cast(to_json(struct_pack({{ fields | join(', ') }})) as varchar)
{%- endmacro %}

{#-
    is_json_object(expr): the delivered line is a well-formed JSON object. A JSONL line
    that is not (truncated, not JSON, an array) is quarantined as `malformed_json`.
-#}
{% macro is_json_object(expr) -%}
    {{ return(adapter.dispatch('is_json_object', 'ka_pipeline')(expr)) }}
{%- endmacro %}

{% macro default__is_json_object(expr) -%}
    ({{ expr }} is null or trim({{ expr }}) like '{{ '{%}' }}')
{%- endmacro %}

{% macro duckdb__is_json_object(expr) -%}
    coalesce(case when json_valid({{ expr }}) then json_type({{ expr }}) = 'OBJECT' end, false)
{%- endmacro %}

{#- Spark's to_json drops null fields unless told to keep them. -#}
{% macro spark__row_to_json(columns, relation_alias=none) -%}
    {%- set prefix = relation_alias ~ '.' if relation_alias else '' -%}
    {%- set fields = [] -%}
    {%- for column in columns -%}
        {%- do fields.append("'" ~ column ~ "', " ~ prefix ~ adapter.quote(column)) -%}
    {%- endfor %}
    to_json(named_struct({{ fields | join(', ') }}), map('ignoreNullFields', 'false'))
{%- endmacro %}

{#- is_json_container(expr): the value is a JSON array or object (`["A000014"]`), as a JSON
    line delivers a key given as a list or a nested object. -#}
{% macro is_json_container(expr) -%}
    (substring({{ expr }}, 1, 1) || substring({{ expr }}, length({{ expr }}), 1)
        in ('[]', '{}'))
{%- endmacro %}

{#- has_duplicate_json_keys(expr): the JSON object names one of its keys twice. -#}
{% macro has_duplicate_json_keys(expr) -%}
    {{ return(adapter.dispatch('has_duplicate_json_keys', 'ka_pipeline')(expr)) }}
{%- endmacro %}

{% macro default__has_duplicate_json_keys(expr) -%}
    {{ exceptions.raise_compiler_error(
        'has_duplicate_json_keys: no implementation for ' ~ target.type
    ) }}
{%- endmacro %}

{% macro duckdb__has_duplicate_json_keys(expr) -%}
    (len(json_keys({{ expr }})) <> len(list_distinct(json_keys({{ expr }}))))
{%- endmacro %}

{#- Spark's JSON functions keep one value per key: compare the key count of the object
    with the number of distinct keys. -#}
{% macro spark__has_duplicate_json_keys(expr) -%}
    (size(json_object_keys({{ expr }})) <> size(array_distinct(json_object_keys({{ expr }}))))
{%- endmacro %}
