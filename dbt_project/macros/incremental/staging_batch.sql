{#-
    Incremental staging: a nightly run re-processes only the raw rows delivered in the
    run's window (`incremental_window()`, on `_partition_date`) plus every other copy of
    the business keys those rows carry, so duplicate and re-send resolution (the ranking
    of a key's copies) sees all of a key's copies, exactly as a full build does.

    A base_ model configures
        config(unique_key=[<business key columns>], **staging_batch_config())
    and filters the CTE after `typed` with
        where {{ in_staging_batch([<business key columns>]) }}

    Without a window (first build, --full-refresh, min_date / max_date null) the filter is
    `1 = 1` and the model is built from every raw row.
-#}

{#-
    staging_batch_config(): the engine-specific config of an incremental base_ model.

    - DuckDB (default): incremental with the `replace_rows` strategy below.
    - Spark: a plain table rebuilt every run. Parquet tables have no DELETE, and a base_
      table has no partition grain whose overwrite would replace exactly the re-ranked
      copies of a key (they lie in any older day).
-#}
{% macro staging_batch_config() -%}
    {{ return(adapter.dispatch('staging_batch_config', 'ka_pipeline')()) }}
{%- endmacro %}

{% macro default__staging_batch_config() -%}
    {{ return({
        'materialized': 'incremental',
        'incremental_strategy': 'replace_rows',
        'on_schema_change': 'fail',
        'meta': {'window_column': '_partition_date'},
    }) }}
{%- endmacro %}

{% macro spark__staging_batch_config() -%}
    {{ return({'materialized': 'table', 'meta': {'window_column': '_partition_date'}}) }}
{%- endmacro %}

{#-
    in_staging_batch(keys, rows='typed', also_keys_where=none): SQL predicate "the row of
    `rows` belongs to the batch": delivered in the window, or carrying a key (all `keys`
    columns) that
    - a row delivered in the window carries,
    - a row of the previous build delivered in the window carried (a re-send that drops or
      re-keys a row re-ranks the key's other copies), or
    - a row matching `also_keys_where` carries (a parent re-processed in this run, whose
      status the row's quarantine rule reads).
-#}
{% macro in_staging_batch(keys, rows='typed', also_keys_where=none) -%}
    {%- if incremental_window() is none -%}
        1 = 1
    {%- else -%}
        {%- set delivered = in_incremental_window('_partition_date') -%}
        {%- set touching = delivered
            ~ (' or (' ~ also_keys_where ~ ')' if also_keys_where else '') -%}
        {%- set matches = [] -%}
        {%- for key in keys -%}
            {%- do matches.append('batch_keys.' ~ key ~ ' = ' ~ rows ~ '.' ~ key) -%}
        {%- endfor -%}
        (
            {{ in_incremental_window(rows ~ '._partition_date') }}
            or exists (
                select 1
                from (
                    select {{ keys | join(', ') }}
                    from {{ rows }}
                    where {{ touching }}
                    union
                    select {{ keys | join(', ') }}
                    from {{ this }}
                    where {{ delivered }}
                ) as batch_keys
                where {{ matches | join(' and ') }}
            )
        )
    {%- endif -%}
{%- endmacro %}

{#-
    staging_batch_rows(raw, key, also_keys_where=none): a select of (_source_file,
    _row_number) of every row of the previous build (`this`) whose `key` a raw row
    delivered in the window carries (keyed with clean_key, as the model keys it), that a
    row of `this` delivered in the window carries, or that matches `also_keys_where`.
    select_source joins the raw table to it (see there).
-#}
{% macro staging_batch_rows(raw, key, also_keys_where=none) -%}
    select
        previous._source_file,
        previous._row_number
    from {{ this }} as previous
    where
        previous.{{ key }} in (
            select {{ clean_key('delivered.' ~ key) }}
            from {{ raw }} as delivered
            where {{ in_incremental_window('delivered._partition_date') }}
            union
            select in_window.{{ key }}
            from {{ this }} as in_window
            where {{ in_incremental_window('in_window._partition_date') }}
        )
        or ({{ also_keys_where or '1 = 0' }})
{%- endmacro %}

{#-
    The `replace_rows` strategy of the base_ models: delete from the target every row
    delivered in the window and every row whose key (the model's `unique_key` columns)
    the batch carries, then insert the batch. The batch holds all copies of those keys
    (in_staging_batch), so the table ends up as a full build would leave it. Without a
    window it deletes everything first.
-#}
{% macro get_incremental_replace_rows_sql(arg_dict) -%}
    {%- set target, batch = arg_dict['target_relation'], arg_dict['temp_relation'] -%}
    {%- set keys = arg_dict['unique_key'] -%}
    {%- set keys = [keys] if keys is string else keys -%}
    {%- if not keys -%}
        {%- do exceptions.raise_compiler_error(
            "replace_rows strategy of " ~ this ~ ": set unique_key (the business key columns)"
        ) -%}
    {%- endif -%}
    {%- set columns = get_quoted_csv(arg_dict['dest_columns'] | map(attribute='name')) -%}
    {%- set matches = [] -%}
    {%- for key in keys -%}
        {%- do matches.append('batch.' ~ key ~ ' = ' ~ target ~ '.' ~ key) -%}
    {%- endfor %}
    delete from {{ target }}
    {%- if incremental_window() is not none %}
    where
        {{ in_incremental_window('_partition_date') }}
        or exists (select 1 from {{ batch }} as batch where {{ matches | join(' and ') }})
    {%- endif %};

    insert into {{ target }} ({{ columns }})
    select {{ columns }} from {{ batch }}
{%- endmacro %}
