{{ config(unique_key=['account_id', 'updated_at'], **staging_batch_config()) }}

with

source as (
    {{ select_source('crm', 'accounts', batch_key='account_id') }}
),

-- every spelling that maps onto an industry: the alias seed, plus the codes and names
industry_lookup as (
    select
        alias,
        industry_code
    from {{ ref('industry_aliases') }}
    union
    select
        industry_code as alias,
        industry_code
    from {{ ref('industries') }}
    union
    select
        {{ normalise_label('industry_name_zh') }} as alias,
        industry_code
    from {{ ref('industries') }}
    union
    select
        {{ normalise_label('industry_name_en') }} as alias,
        industry_code
    from {{ ref('industries') }}
),

province_lookup as (
    select
        alias,
        province_code
    from {{ ref('province_aliases') }}
    union
    select
        province_code as alias,
        province_code
    from {{ ref('provinces') }}
    union
    select
        {{ normalise_label('province_name_zh') }} as alias,
        province_code
    from {{ ref('provinces') }}
    union
    select
        {{ normalise_label('province_name_en') }} as alias,
        province_code
    from {{ ref('provinces') }}
),

typed as (
    select
        -- ids
        {{ clean_key('source.account_id') }} as account_id,
        {{ clean_key('source.owner_rep_id') }} as owner_rep_id,

        -- attributes
        {{ clean_text('source.account_name') }} as account_name,
        {{ clean_text('source.industry') }} as industry_label,
        case
            when industry_lookup.industry_code is not null then industry_lookup.industry_code
            when {{ clean_text('source.industry') }} is not null then 'other'
        end as industry_code,
        {{ clean_text('source.industry') }} is not null
        and industry_lookup.industry_code is null as is_industry_unmapped,
        {{ clean_text('source.province') }} as province_label,
        province_lookup.province_code,
        {{ clean_text('source.province') }} is not null
        and province_lookup.province_code is null as is_province_unmapped,
        {{ clean_text('source.city') }} as city,

        -- numerics
        {{ parse_number('source.employee_count', dbt.type_bigint()) }} as employee_count,
        {{ clean_text('source.employee_count') }} as employee_count_text,
        {{ parse_number('source.annual_revenue_cny') }} as annual_revenue_cny,
        {{ clean_text('source.annual_revenue_cny') }} as annual_revenue_cny_text,
        {{ parse_number('source.founded_year', dbt.type_int()) }} as founded_year,
        {{ clean_text('source.founded_year') }} as founded_year_text,

        -- timestamps
        {{ parse_timestamp('source.created_at') }} as created_at,
        {{ clean_text('source.created_at') }} as created_at_text,
        {{ parse_timestamp('source.updated_at') }} as updated_at,
        {{ clean_text('source.updated_at') }} as updated_at_text,

        -- lineage
        source._source_file,
        source._row_number,
        source._partition_date
    from source
    left join industry_lookup
        on {{ normalise_label('source.industry') }} = industry_lookup.alias
    left join province_lookup
        on {{ normalise_label('source.province') }} = province_lookup.alias
),

validated as (
    select
        *,
        case
            {{ rule_missing('account_id') }}
            {{ rule_key_shape('owner_rep_id') }}
            {{ rule_missing('updated_at', text_column='updated_at_text') }}
            {{ rule_dates('updated_at') }}
            {{ rule_dates('created_at') }}
            {{ rule_number('employee_count', check='negative') }}
            {{ rule_number('annual_revenue_cny', check='negative') }}
            {{ rule_number(
                'founded_year', check='out_of_range', min_value=1800, max_value=2100
            ) }}
        end as quarantine_reason
    from typed
    -- incremental: the window's rows and every copy of their keys
    where {{ in_staging_batch(['account_id', 'updated_at']) }}
),

-- business keys that more than one valid row carries: only their copies need ranking
repeated_keys as (
    select
        account_id,
        updated_at
    from validated
    where quarantine_reason is null
    group by account_id, updated_at
    having count(*) > 1
),

-- the latest delivered copy of a repeated key wins (copy_rank 1): max _partition_date,
-- then max _source_file, then max _row_number; the other copies are duplicates
ranked_copies as (
    select
        validated._source_file,
        validated._row_number,
        row_number() over (
            partition by validated.account_id, validated.updated_at
            order by
                validated._partition_date desc nulls last,
                validated._source_file desc,
                validated._row_number desc
        ) as copy_rank
    from validated
    inner join repeated_keys
        on
            validated.account_id = repeated_keys.account_id
            and validated.updated_at = repeated_keys.updated_at
    where validated.quarantine_reason is null
),

final as (
    select
        validated.account_id,
        validated.account_name,
        validated.industry_label,
        validated.industry_code,
        validated.is_industry_unmapped,
        validated.province_label,
        validated.province_code,
        validated.is_province_unmapped,
        validated.city,
        validated.employee_count,
        validated.annual_revenue_cny,
        validated.founded_year,
        validated.owner_rep_id,
        validated.created_at,
        validated.updated_at,
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
