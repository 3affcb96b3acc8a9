{{ config(unique_key=['contact_id', 'updated_at'], **staging_batch_config()) }}

-- Personal data (name, phone, e-mail) is read here only to derive has_phone / has_email and
-- the salted contact_hash_key: it is not selected into this table, nor into any later model.

with

source as (
    {{ select_source('crm', 'contacts') }}
),

role_aliases as (
    select
        alias,
        code
    from {{ ref('enum_aliases') }}
    where domain = 'contact_role'
),

typed as (
    select
        -- ids
        -- a source that keys contacts by e-mail or phone: the key is pseudonymised (salted
        -- hash) so the address never reaches core; its versions still share one key
        case
            when
                {{ redact_personal_data(clean_key('source.contact_id')) }}
                <> {{ clean_key('source.contact_id') }}
                then {{ ka_salted_hash('lower(' ~ clean_key('source.contact_id') ~ ')') }}
            else {{ clean_key('source.contact_id') }}
        end as contact_id,
        {{ clean_key('source.account_id') }} as account_id,

        -- attributes
        role_aliases.code as role,
        {{ clean_text('source.role') }} as role_text,
        {{ clean_text('source.phone') }} is not null as has_phone,
        {{ clean_text('source.email') }} is not null as has_email,
        -- salted SHA-256 of the e-mail (else the phone without separators): matches a
        -- person across systems without keeping the address or number
        {{ ka_salted_hash(
            "coalesce(lower(" ~ clean_text('source.email') ~ "), "
            ~ dbt.replace(dbt.replace(clean_text('source.phone'), "'-'", "''"), "' '", "''")
            ~ ")"
        ) }} as contact_hash_key,

        -- timestamps
        {{ parse_timestamp('source.updated_at') }} as updated_at,
        {{ clean_text('source.updated_at') }} as updated_at_text,

        -- lineage
        source._source_file,
        source._row_number,
        source._partition_date
    from source
    left join role_aliases
        on {{ normalise_label('source.role') }} = role_aliases.alias
),

validated as (
    select
        *,
        case
            {{ rule_missing('contact_id') }}
            {{ rule_missing('account_id') }}
            {{ rule_missing('updated_at', text_column='updated_at_text') }}
            {{ rule_dates('updated_at') }}
            {{ rule_enum('role') }}
        end as quarantine_reason
    from typed
    -- incremental: the window's rows and every copy of their keys
    where {{ in_staging_batch(['contact_id', 'updated_at']) }}
),

-- business keys that more than one valid row carries: only their copies need ranking
repeated_keys as (
    select
        contact_id,
        updated_at
    from validated
    where quarantine_reason is null
    group by contact_id, updated_at
    having count(*) > 1
),

-- the latest delivered copy of a repeated key wins (copy_rank 1): max _partition_date,
-- then max _source_file, then max _row_number; the other copies are duplicates
ranked_copies as (
    select
        validated._source_file,
        validated._row_number,
        row_number() over (
            partition by validated.contact_id, validated.updated_at
            order by
                validated._partition_date desc nulls last,
                validated._source_file desc,
                validated._row_number desc
        ) as copy_rank
    from validated
    inner join repeated_keys
        on
            validated.contact_id = repeated_keys.contact_id
            and validated.updated_at = repeated_keys.updated_at
    where validated.quarantine_reason is null
),

final as (
    select
        validated.contact_id,
        validated.account_id,
        validated.role,
        validated.has_phone,
        validated.has_email,
        validated.contact_hash_key,
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
