{#-
    hash_key(columns): a surrogate key, md5 of the '|'-joined values, nulls as '_null_' so
    that (null, 'a') and ('', 'a') differ. Same result on every engine with md5().
-#}
{% macro hash_key(columns) -%}
    {%- set parts = [] -%}
    {%- for column in columns -%}
        {%- do parts.append(
            "coalesce(cast(" ~ column ~ " as " ~ dbt.type_string() ~ "), '_null_')"
        ) -%}
        {%- if not loop.last %}{% do parts.append("'|'") %}{% endif -%}
    {%- endfor -%}
    {{ dbt.hash(dbt.concat(parts)) }}
{%- endmacro %}
