{#-
    delivered_repeats_share: the share of the delivery batch whose key `columns` occurs more
    than once in the batch (every occurrence counts; rows with every key column missing are
    not considered), e.g. an order id delivered twice. Staging keeps the latest copy; many
    repeats mean a re-sent or duplicated export. Thresholds as delivered_share.
-#}
{% test delivered_repeats_share(
    model, columns, warn_above_percent=1, error_above_percent=none, min_rows_to_block=20
) %}
{{ config(fail_calc='coalesce(max(verdict), 0)', warn_if='>= 1', error_if='>= 2') }}

with

batch as (
    select {{ columns | join(', ') }}
    from {{ model }}
    where {{ delivery_batch_filter() }}
),

keyed as (
    select count(*) over (partition by {{ columns | join(', ') }}) as copies
    from batch
    where not ({{ columns | join(' is null and ') }} is null)
),

counts as (
    select
        batch_size.batch_rows,
        count(*) as considered_rows,
        sum(case when keyed.copies > 1 then 1 else 0 end) as failing_rows
    from keyed
    cross join (select count(*) as batch_rows from batch) as batch_size
    group by batch_size.batch_rows
)

{{ share_verdict('counts', warn_above_percent, error_above_percent, min_rows_to_block) }}

{% endtest %}
