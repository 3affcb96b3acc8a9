{#-
    delivered_untyped_share: the share of the delivery batch whose delivered value of
    `delivered_column` (raw source `source_name`.`table_name`) did not become a typed value
    in `column_name` of the base_ model: a date or number that does not parse, a label no
    alias seed maps. The parsing is staging's own (macros/cross_db/parse.sql, text.sql):
    base_ keeps exactly one row per delivered row, so delivered-but-untyped is the batch's
    delivered values minus its typed values. Thresholds as delivered_share.
-#}
{% test delivered_untyped_share(
    model, column_name, source_name, table_name, delivered_column=none,
    warn_above_percent=1, error_above_percent=none, min_rows_to_block=20
) %}
{{ config(fail_calc='coalesce(max(verdict), 0)', warn_if='>= 1', error_if='>= 2') }}

with

delivered as (
    select
        count(*) as batch_rows,
        count({{ clean_text(delivered_column or column_name) }}) as delivered_values
    from ({{ select_source(source_name, table_name) }}) as delivered_rows
    where {{ delivery_batch_filter() }}
),

typed as (
    select count({{ column_name }}) as typed_values
    from {{ model }}
    where {{ delivery_batch_filter() }}
),

counts as (
    select
        delivered.batch_rows,
        delivered.batch_rows as considered_rows,
        delivered.delivered_values - typed.typed_values as failing_rows
    from delivered
    cross join typed
)

{{ share_verdict('counts', warn_above_percent, error_above_percent, min_rows_to_block) }}

{% endtest %}
