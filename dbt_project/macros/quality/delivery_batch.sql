{#-
    The delivery batch of the delivered_* generic tests (tests/generic/): the rows a run
    delivered, judged as one batch, as the raw Great Expectations suites judge theirs.

    - A nightly run: its business day (var batch_first_day, set from the run's
      `ka/business_day` tag) .. max_date, so a bad day is not diluted by the month's earlier,
      already judged days.
    - A backfill or a manual partitioned run: its window min_date .. max_date.
    - No window (a full build, an unpartitioned run): every delivered row.
    Snapshot entities (no _partition_date) are always judged whole.
-#}
{% macro delivery_batch_filter() -%}
    {%- set first_day = var('batch_first_day', none) or var('min_date', none) -%}
    {%- set last_day = var('max_date', none) -%}
    {%- if first_day is none or last_day is none -%}
        1 = 1
    {%- else -%}
        (
            _partition_date is null
            or _partition_date between cast('{{ first_day }}' as date)
            and cast('{{ last_day }}' as date)
        )
    {%- endif -%}
{%- endmacro %}

{#-
    share_verdict(counts): the one row a delivered_* test returns when its rule is broken,
    from a relation `counts` with batch_rows, considered_rows and failing_rows. `verdict` is
    1 (WARN: more than warn_above_percent of the considered rows break the rule) or 2
    (ERROR: more than error_above_percent, on a batch of at least min_rows_to_block rows;
    on a smaller batch one bad value is a large share that says nothing about the export).
    The tests' fail_calc is max(verdict), so warn_if `>= 1` and error_if `>= 2`.
-#}
{% macro share_verdict(counts, warn_above_percent, error_above_percent, min_rows_to_block) -%}
    {%- set blocks = '1 = 0' if error_above_percent is none else (
        'failing_rows * 100.0 > ' ~ error_above_percent ~ ' * considered_rows'
        ~ ' and batch_rows >= ' ~ min_rows_to_block
    ) -%}
    select
        batch_rows,
        considered_rows,
        failing_rows,
        round(100.0 * failing_rows / considered_rows, 2) as failing_percent,
        case when {{ blocks }} then 2 else 1 end as verdict
    from {{ counts }}
    where
        considered_rows > 0
        and failing_rows * 100.0 > {{ warn_above_percent }} * considered_rows
{%- endmacro %}
