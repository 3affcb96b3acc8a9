{#-
    The `replace_days` incremental strategy of the daily facts: a run replaces whole
    business days, so re-running a window is idempotent and a corrected re-send replaces
    what it corrects.

    The model's batch holds every row of each day it touches (see the facts'
    `changed_days`). The strategy deletes from the target
    - every row of the window (`incremental_window()`), so a day whose rows all vanished
      (e.g. quarantined after a corrected re-send) ends up empty, as in a full build;
    - every row of a day present in the batch;
    - every row whose `unique_key` is in the batch (a key whose business date moved);
    then inserts the batch. Without a window (vars null) it deletes everything first:
    "build everything" then equals a full rebuild.

    Configure a model with
        materialized='incremental', unique_key='<key>',
        meta={'business_date': '<date column>'}, **daily_fact_config('<month column>')

    The SQL dispatches (`replace_days_sql`). Spark on parquet has no DELETE and accepts
    only dbt-spark's own strategies: there the facts use `insert_overwrite` of month
    partitions instead (daily_fact_config.sql).
-#}
{% macro get_incremental_replace_days_sql(arg_dict) -%}
    {{ return(adapter.dispatch('replace_days_sql', 'ka_pipeline')(arg_dict)) }}
{%- endmacro %}

{% macro default__replace_days_sql(arg_dict) -%}
    {%- set target, batch = arg_dict['target_relation'], arg_dict['temp_relation'] -%}
    {%- set unique_key = arg_dict['unique_key'] -%}
    {%- set business_date = config.get('meta', {}).get('business_date') -%}
    {%- if not unique_key or not business_date or unique_key is not string -%}
        {%- do exceptions.raise_compiler_error(
            "replace_days strategy of " ~ this ~ ": set unique_key (one column) and "
            ~ "meta.business_date in the model config"
        ) -%}
    {%- endif -%}
    {%- set columns = get_quoted_csv(arg_dict['dest_columns'] | map(attribute='name')) -%}
    {%- set window = incremental_window() -%}
    delete from {{ target }}
    {%- if window is not none %}
    where
        {{ in_incremental_window(business_date) }}
        or {{ business_date }} in (select {{ business_date }} from {{ batch }})
        or {{ unique_key }} in (select {{ unique_key }} from {{ batch }})
    {%- endif %};

    insert into {{ target }} ({{ columns }})
    select {{ columns }} from {{ batch }}
{%- endmacro %}
