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
    {%- set first_day = run_var('batch_first_day', none) or run_var('min_date', none) -%}
    {%- set last_day = run_var('max_date', none) -%}
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
    (ERROR: on a batch of at least min_rows_to_block rows, even the Wilson lower bound of
    the failing share, at z = var share_gate_z, is above error_above_percent). On a small
    batch a few bad values are a large share that says little about the export: 3 bad
    lines of 27 (11 %) have a lower bound of 4.5 % and warn; 27 of 27 (100 %) block.
    The tests' fail_calc is max(verdict), so warn_if `>= 1` and error_if `>= 2`.
-#}
{% macro share_verdict(counts, warn_above_percent, error_above_percent, min_rows_to_block) -%}
    {%- set blocks = '1 = 0' if error_above_percent is none else (
        'failing_share_lower_bound * 100.0 > ' ~ error_above_percent
        ~ ' and batch_rows >= ' ~ min_rows_to_block
    ) -%}
    select
        batch_rows,
        considered_rows,
        failing_rows,
        round(100.0 * failing_rows / considered_rows, 2) as failing_percent,
        round(100.0 * failing_share_lower_bound, 2) as failing_percent_lower_bound,
        case when {{ blocks }} then 2 else 1 end as verdict
    from (
        select
            *,
            {{ wilson_lower_bound('failing_rows', 'considered_rows') }}
                as failing_share_lower_bound
        from {{ counts }}
        where considered_rows > 0
    ) as bounded
    where failing_rows * 100.0 > {{ warn_above_percent }} * considered_rows
{%- endmacro %}

{#-
    wilson_lower_bound(successes, trials): the lower end of the Wilson score interval of
    the share successes / trials, one-sided at z = var share_gate_z (1.645: 95 %). trials > 0.
-#}
{% macro wilson_lower_bound(successes, trials) -%}
    {%- set z = var('share_gate_z', 1.645) | float -%}
    {%- set share = '(1.0 * ' ~ successes ~ ' / ' ~ trials ~ ')' -%}
    (
        {{ share }} + {{ z * z }} / (2.0 * {{ trials }})
        - {{ z }} * sqrt(
            {{ share }} * (1 - {{ share }}) / {{ trials }}
            + {{ z * z }} / (4.0 * {{ trials }} * {{ trials }})
        )
    ) / (1 + {{ z * z }} / {{ trials }})
{%- endmacro %}
