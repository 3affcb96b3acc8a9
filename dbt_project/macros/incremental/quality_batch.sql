{#-
    Incremental quality models (dq_quarantined_rows, dq_file_reconciliation): a windowed run
    re-counts only the delivered files holding a base_ row that this dbt invocation
    (re)processed (incremental staging, staging_batch.sql, marks them with its
    dbt_invocation_id), and replaces those files' rows. Every other file's rows cannot
    have changed. Without a window everything is rebuilt.
-#}

{#-
    quality_batch_config(): the engine-specific config of an incremental quality model.
    - DuckDB (default): incremental with the `replace_files` strategy below.
    - Spark: a plain table rebuilt every run (no DELETE on parquet tables).
-#}
{% macro quality_batch_config() -%}
    {{ return(adapter.dispatch('quality_batch_config', 'ka_pipeline')()) }}
{%- endmacro %}

{% macro default__quality_batch_config() -%}
    {{ return({
        'materialized': 'incremental',
        'incremental_strategy': 'replace_files',
        'on_schema_change': 'fail',
    }) }}
{%- endmacro %}

{% macro spark__quality_batch_config() -%}
    {{ return({'materialized': 'table'}) }}
{%- endmacro %}

{#-
    reprocessed_files(): a select of (entity, source_file) of every delivered file holding
    a base_ row this dbt invocation (re)processed.
-#}
{% macro reprocessed_files() -%}
    {%- set selects = [] -%}
    {%- for system, entity in source_entities() -%}
        {%- do selects.append(
            "select '" ~ system ~ '/' ~ entity ~ "' as entity, _source_file as source_file from "
            ~ ref('base_' ~ system ~ '__' ~ entity)
            ~ " where dbt_invocation_id = '" ~ invocation_id ~ "'"
        ) -%}
    {%- endfor -%}
    {{ selects | join('\nunion all\n') }}
{%- endmacro %}

{#-
    in_reprocessed_file(system, entity, source_file): SQL predicate "the file
    `source_file` of the entity holds a base_ row this invocation (re)processed"; `1 = 1`
    without a window.
-#}
{% macro in_reprocessed_file(system, entity, source_file) -%}
    {%- if incremental_window() is none -%}
        1 = 1
    {%- else -%}
        {{ source_file }} in (
            select _source_file
            from {{ ref('base_' ~ system ~ '__' ~ entity) }}
            where dbt_invocation_id = '{{ invocation_id }}'
        )
    {%- endif -%}
{%- endmacro %}

{#-
    The `replace_files` strategy: delete the rows of every file delivered in the window
    (`partition_date`: a file that vanished from it) or holding a re-processed base_ row
    (columns `entity`, `source_file`), then insert the batch, which re-counts exactly
    those files (in_reprocessed_file). Without a window it deletes everything first.
-#}
{% macro get_incremental_replace_files_sql(arg_dict) -%}
    {%- set target, batch = arg_dict['target_relation'], arg_dict['temp_relation'] -%}
    {%- set columns = get_quoted_csv(arg_dict['dest_columns'] | map(attribute='name')) -%}
    delete from {{ target }}
    {%- if incremental_window() is not none %}
    where
        {{ in_incremental_window('partition_date') }}
        or exists (
            select 1
            from ({{ reprocessed_files() }}) as reprocessed
            where
                reprocessed.entity = {{ target }}.entity
                and reprocessed.source_file = {{ target }}.source_file
        )
    {%- endif %};

    insert into {{ target }} ({{ columns }})
    select {{ columns }} from {{ batch }}
{%- endmacro %}
