{{ config(materialized='table') }}

with

source as (
    {{ select_source('crm', 'sales_reps') }}
),

-- a rep's region is delivered as a name (华北, North, 华北区, North China) or a code
region_lookup as (
    select
        region_code as alias,
        region_code
    from {{ ref('regions') }}
    union
    select
        {{ normalise_label('region_name_zh') }} as alias,
        region_code
    from {{ ref('regions') }}
    union
    select
        {{ dbt.concat([normalise_label('region_name_zh'), "'区'"]) }} as alias,
        region_code
    from {{ ref('regions') }}
    union
    select
        {{ dbt.concat([normalise_label('region_name_zh'), "'地区'"]) }} as alias,
        region_code
    from {{ ref('regions') }}
    union
    select
        {{ normalise_label('region_name_en') }} as alias,
        region_code
    from {{ ref('regions') }}
    union
    select
        {{ dbt.concat([normalise_label('region_name_en'), "'china'"]) }} as alias,
        region_code
    from {{ ref('regions') }}
),

typed as (
    select
        -- ids
        {{ clean_key('source.rep_id') }} as rep_id,

        -- attributes
        {{ clean_text('source.rep_name') }} as rep_name,
        {{ clean_text('source.team') }} as team,
        {{ clean_text('source.region') }} as region_label,
        region_lookup.region_code,
        {{ clean_text('source.region') }} is not null
        and region_lookup.region_code is null as is_region_unmapped,
        {{ parse_boolean('source.is_active') }} as is_active,
        {{ clean_text('source.is_active') }} as is_active_text,

        -- dates
        {{ parse_date('source.hire_date') }} as hire_date,
        {{ clean_text('source.hire_date') }} as hire_date_text,

        -- lineage
        source._source_file,
        source._row_number,
        source._partition_date
    from source
    left join region_lookup
        on {{ normalise_label('source.region') }} = region_lookup.alias
),

validated as (
    select
        *,
        case
            {{ rule_missing('rep_id') }}
            {{ rule_dates('hire_date', check_future=false) }}
            when is_active_text is not null and is_active is null
                then 'non_boolean:is_active'
        end as quarantine_reason
    from typed
),

-- business keys that more than one valid row carries: only their copies need ranking
repeated_keys as (
    select rep_id
    from validated
    where quarantine_reason is null
    group by rep_id
    having count(*) > 1
),

-- the latest delivered copy of a repeated key wins (copy_rank 1): max _partition_date,
-- then max _source_file, then max _row_number; the other copies are duplicates
ranked_copies as (
    select
        validated._source_file,
        validated._row_number,
        row_number() over (
            partition by validated.rep_id
            order by
                validated._partition_date desc nulls last,
                validated._source_file desc,
                validated._row_number desc
        ) as copy_rank
    from validated
    inner join repeated_keys
        on
            validated.rep_id = repeated_keys.rep_id
    where validated.quarantine_reason is null
),

final as (
    select
        validated.rep_id,
        validated.rep_name,
        validated.team,
        validated.region_label,
        validated.region_code,
        validated.is_region_unmapped,
        validated.hire_date,
        validated.is_active,
        validated.quarantine_reason,
        {{ row_status() }} as row_status,
        -- the dbt run that last (re)processed the row (incremental staging)
        '{{ invocation_id }}' as dbt_invocation_id,
        validated._source_file,
        validated._row_number,
        validated._partition_date
    from validated
    left join ranked_copies
        on
            validated._source_file = ranked_copies._source_file
            and validated._row_number = ranked_copies._row_number
)

select * from final
