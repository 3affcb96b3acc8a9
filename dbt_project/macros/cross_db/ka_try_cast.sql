{#-
    ka_try_cast(expr, type): cast `expr` to `type`, or null when the value does not convert.
    dbt's own `safe_cast` is a plain `cast` on DuckDB and Spark, so it would fail the build
    on one bad value; staging relies on null-on-failure to quarantine such rows instead.
    default__ uses try_cast (DuckDB, Spark 3.2+, Snowflake, Trino, SQL Server); an engine
    without it (postgres) needs its own <adapter>__ka_try_cast.
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
