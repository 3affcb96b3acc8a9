{#-
    delivered_share: the share of the delivery batch (macros/quality/delivery_batch.sql)
    whose typed base_ row breaks a rule. `failing` and `considered` are SQL conditions on
    the base_ row (considered: the rows the rule applies to, e.g. a value that is present).
    WARN above warn_above_percent of the considered rows, ERROR above error_above_percent
    (none: never) on a batch of at least min_rows_to_block rows.
-#}
{% test delivered_share(
    model, failing, considered='1 = 1', warn_above_percent=1, error_above_percent=none,
    min_rows_to_block=20
) %}
{{ config(fail_calc='coalesce(max(verdict), 0)', warn_if='>= 1', error_if='>= 2') }}

with

counts as (
    select
        count(*) as batch_rows,
        sum(case when {{ considered }} then 1 else 0 end) as considered_rows,
        sum(case when ({{ considered }}) and ({{ failing }}) then 1 else 0 end) as failing_rows
    from {{ model }}
    where {{ delivery_batch_filter() }}
)

{{ share_verdict('counts', warn_above_percent, error_above_percent, min_rows_to_block) }}

{% endtest %}
