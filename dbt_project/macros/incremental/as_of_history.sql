{#-
    as_of_history_config(): the engine-specific config of a table that keeps one copy of a
    mart per as-of date (mart_report_account_state_history), merged into the model's
    config. A build replaces the rows of its own as-of date and keeps the others.

    - DuckDB (default): `delete+insert` on as_of_date.
    - Spark: parquet tables have no DELETE, so the table is partitioned by as_of_date and
      written with `insert_overwrite` (the build's partition replaced whole).
-#}
{% macro as_of_history_config() -%}
    {{ return(adapter.dispatch('as_of_history_config', 'ka_pipeline')()) }}
{%- endmacro %}

{% macro default__as_of_history_config() -%}
    {{ return({'incremental_strategy': 'delete+insert', 'unique_key': 'as_of_date'}) }}
{%- endmacro %}

{% macro spark__as_of_history_config() -%}
    {{ return({'incremental_strategy': 'insert_overwrite', 'partition_by': ['as_of_date']}) }}
{%- endmacro %}
