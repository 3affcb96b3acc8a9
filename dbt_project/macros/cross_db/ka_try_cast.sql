{#-
    ka_try_cast(expr, type): cast `expr` to `type`, or null when the value does not convert.
    dbt's own `safe_cast` is a plain `cast` on DuckDB and Spark, so it would fail the build
    on one bad value; staging relies on null-on-failure to quarantine such rows instead.
-#}
{% macro ka_try_cast(expr, type) -%}
    {{ return(adapter.dispatch('ka_try_cast', 'ka_pipeline')(expr, type)) }}
{%- endmacro %}

{% macro default__ka_try_cast(expr, type) -%}
    try_cast({{ expr }} as {{ type }})
{%- endmacro %}

{% macro duckdb__ka_try_cast(expr, type) -%}
    try_cast({{ expr }} as {{ type }})
{%- endmacro %}

{% macro postgres__ka_try_cast(expr, type) -%}
    {#- postgres has no try_cast: only plain numerals convert, anything else is null -#}
    case
        when trim({{ expr }}) ~ '^[+-]?([0-9]+[.]?[0-9]*|[.][0-9]+)$'
            then cast(trim({{ expr }}) as {{ type }})
    end
{%- endmacro %}
