{#-
    register_raw_tables(directory, tables): on an engine that reads the raw layer from
    files (Spark), (re)create `raw.<table>` over the parquet folder `<directory>/<table>`
    for each of `tables`. Run by `ka-pipeline spark build` before `dbt build`; on DuckDB
    the extraction loads the raw schema itself, so there is nothing to register.
-#}
{% macro register_raw_tables(directory, tables) -%}
    {{ return(adapter.dispatch('register_raw_tables', 'ka_pipeline')(directory, tables)) }}
{%- endmacro %}

{% macro default__register_raw_tables(directory, tables) -%}
    {{ exceptions.raise_compiler_error(
        "register_raw_tables is for engines that read raw parquet files (spark); on "
        ~ adapter.type() ~ " the extraction loads the raw schema"
    ) }}
{%- endmacro %}

{% macro spark__register_raw_tables(directory, tables) -%}
    {%- do run_query('create schema if not exists raw') -%}
    {%- for table in tables -%}
        {%- do run_query('drop table if exists raw.' ~ table) -%}
        {%- do run_query(
            'create table raw.' ~ table ~ " using parquet location '"
            ~ directory ~ '/' ~ table ~ "'"
        ) -%}
    {%- endfor -%}
    {{ log('registered ' ~ tables | length ~ ' raw tables from ' ~ directory, info=true) }}
{%- endmacro %}
