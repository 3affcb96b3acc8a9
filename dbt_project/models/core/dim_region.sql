-- The seven sales regions (区域) provinces roll up to, plus the UNKNOWN member.

with

regions as (
    select * from {{ ref('regions') }}
),

known as (
    select
        cast(region_code as {{ dbt.type_string() }}) as region_code,
        cast(region_name_zh as {{ dbt.type_string() }}) as region_name_zh,
        cast(region_name_en as {{ dbt.type_string() }}) as region_name_en,
        cast(sort_order as {{ dbt.type_int() }}) as sort_order
    from regions
),

unknown_member as (
    select
        'UNKNOWN' as region_code,
        '未知' as region_name_zh,
        'Unknown' as region_name_en,
        cast(99 as {{ dbt.type_int() }}) as sort_order
),

final as (
    select * from known
    union all
    select * from unknown_member
)

select * from final
