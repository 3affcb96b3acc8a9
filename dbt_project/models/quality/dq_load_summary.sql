-- One row per entity of the landing contract (delivered or not): its files and rows, and
-- how they were accounted for. What a data engineer looks at first after a load.

with

reconciliation as (
    select * from {{ ref('dq_file_reconciliation') }}
),

entities as (
    {%- for system, entity in source_entities() %}
    select
        '{{ system }}/{{ entity }}' as entity,
        '{{ system }}' as source_system,
        {{ loop.index }} as sort_order
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

per_entity as (
    select
        entity,
        count(*) as file_count,
        cast(sum(delivered_rows) as {{ dbt.type_bigint() }}) as delivered_rows,
        cast(sum(staged_rows) as {{ dbt.type_bigint() }}) as staged_rows,
        cast(sum(quarantined_rows) as {{ dbt.type_bigint() }}) as quarantined_rows,
        cast(sum(duplicate_rows) as {{ dbt.type_bigint() }}) as duplicate_rows,
        cast(
            sum(case when is_reconciled then 0 else 1 end) as {{ dbt.type_bigint() }}
        ) as unreconciled_files,
        min(partition_date) as first_partition_date,
        max(partition_date) as last_partition_date,
        max(loaded_at) as last_loaded_at
    from reconciliation
    group by entity
),

final as (
    select
        entities.entity,
        entities.source_system,
        entities.sort_order,
        per_entity.entity is not null as is_delivered,
        coalesce(per_entity.file_count, 0) as file_count,
        coalesce(per_entity.delivered_rows, 0) as delivered_rows,
        coalesce(per_entity.staged_rows, 0) as staged_rows,
        coalesce(per_entity.quarantined_rows, 0) as quarantined_rows,
        coalesce(per_entity.duplicate_rows, 0) as duplicate_rows,
        cast(
            case
                when per_entity.delivered_rows > 0
                    then 1.0 * per_entity.quarantined_rows / per_entity.delivered_rows
            end as decimal(9, 6)
        ) as quarantine_rate,
        cast(
            case
                when per_entity.delivered_rows > 0
                    then 1.0 * per_entity.duplicate_rows / per_entity.delivered_rows
            end as decimal(9, 6)
        ) as duplicate_rate,
        coalesce(per_entity.unreconciled_files, 0) as unreconciled_files,
        coalesce(per_entity.unreconciled_files, 0) = 0 as is_reconciled,
        per_entity.first_partition_date,
        per_entity.last_partition_date,
        per_entity.last_loaded_at
    from entities
    left join per_entity
        on entities.entity = per_entity.entity
)

select * from final
