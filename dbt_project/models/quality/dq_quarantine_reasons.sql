-- One row per entity and quarantine reason: how many rows failed that rule, in how many
-- files, over which business days. Sorted by the orchestrator / BI, not here.

with

quarantined_rows as (
    select * from {{ ref('dq_quarantined_rows') }}
),

final as (
    select
        entity,
        quarantine_reason,
        reason_code,
        reason_column,
        count(*) as quarantined_rows,
        count(distinct source_file) as file_count,
        min(partition_date) as first_partition_date,
        max(partition_date) as last_partition_date
    from quarantined_rows
    group by entity, quarantine_reason, reason_code, reason_column
)

select * from final
