{#-
    delivered_known_share: the share of the delivery batch whose key `column_name` (when
    present) is not among the keys `field` of the base_ model `to` (every delivered row of
    it, trimmed), e.g. an order's account the CRM never delivered. Thresholds as
    delivered_share; the considered rows are those with the key present, and none when `to`
    has no key at all (its entity is not delivered, e.g. an orders-only adoption: every
    account is inferred from the orders by design).
-#}
{% test delivered_known_share(
    model, column_name, to, field, warn_above_percent=1, error_above_percent=none,
    min_rows_to_block=20
) %}
{{ config(fail_calc='coalesce(max(verdict), 0)', warn_if='>= 1', error_if='>= 2') }}

with

known as (
    select distinct {{ field }} as known_key
    from {{ to }}
    where {{ field }} is not null
),

known_count as (
    select count(*) as known_keys
    from known
),

counts as (
    select
        count(*) as batch_rows,
        sum(
            case
                when batch.{{ column_name }} is not null and known_count.known_keys > 0 then 1
                else 0
            end
        ) as considered_rows,
        sum(
            case
                when batch.{{ column_name }} is not null and known.known_key is null then 1
                else 0
            end
        ) as failing_rows
    from {{ model }} as batch
    cross join known_count
    left join known
        on batch.{{ column_name }} = known.known_key
    where {{ delivery_batch_filter() }}
)

{{ share_verdict('counts', warn_above_percent, error_above_percent, min_rows_to_block) }}

{% endtest %}
