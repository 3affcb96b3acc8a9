{#-
    Parsing delivered text into typed values. Every parser returns null when the value does
    not parse, never an error: the staging rules turn a null-but-delivered value into a
    quarantine reason (unparseable_date, non_numeric, ...).
-#}

{#-
    parse_number(expr, type): `12,345.60`, ` 12 345.60 `, `１２３`, `¥1,200` -> a number.
    Thousands separators, spaces and currency signs are stripped, full-width digits mapped.
-#}
{% macro parse_number(expr, type='decimal(18,2)') -%}
    {{ ka_try_cast(
        "replace(replace(replace(replace(" ~ to_halfwidth('trim(' ~ expr ~ ')')
        ~ ", ',', ''), ' ', ''), '¥', ''), '￥', '')",
        type
    ) }}
{%- endmacro %}

{#- parse_date(expr): `YYYY-MM-DD`, `YYYY/MM/DD` or `YYYYMMDD` -> date, else null. -#}
{% macro parse_date(expr) -%}
    {{ return(adapter.dispatch('parse_date', 'ka_pipeline')(expr)) }}
{%- endmacro %}

{% macro default__parse_date(expr) -%}
    {%- set value = to_halfwidth('trim(' ~ expr ~ ')') -%}
    case
        when {{ ka_regex_matches(value, '[0-9]{4}-[0-9]{2}-[0-9]{2}') }}
            then {{ ka_try_cast(value, 'date') }}
        when {{ ka_regex_matches(value, '[0-9]{4}/[0-9]{2}/[0-9]{2}') }}
            then {{ ka_try_cast("replace(" ~ value ~ ", '/', '-')", 'date') }}
        when {{ ka_regex_matches(value, '[0-9]{8}') }}
            then {{ ka_try_cast(dbt.concat([
                "substring(" ~ value ~ ", 1, 4)", "'-'",
                "substring(" ~ value ~ ", 5, 2)", "'-'",
                "substring(" ~ value ~ ", 7, 2)"
            ]), 'date') }}
    end
{%- endmacro %}

{% macro duckdb__parse_date(expr) -%}
    cast(try_strptime({{ to_halfwidth('trim(' ~ expr ~ ')') }},
        ['%Y-%m-%d', '%Y/%m/%d', '%Y%m%d']) as date)
{%- endmacro %}

{#-
    parse_timestamp(expr): `YYYY-MM-DD HH:MM:SS` (also with `T`, without seconds, or a bare
    date, and with the date in any of the three accepted formats) -> timestamp, else null.
-#}
{% macro parse_timestamp(expr) -%}
    {{ return(adapter.dispatch('parse_timestamp', 'ka_pipeline')(expr)) }}
{%- endmacro %}

{% macro default__parse_timestamp(expr) -%}
    {%- set value = to_halfwidth('trim(' ~ expr ~ ')') -%}
    case
        when {{ ka_regex_matches(value, '[0-9]{4}-[0-9]{2}-[0-9]{2}([ T][0-9]{2}:[0-9]{2}(:[0-9]{2})?)?') }}
            then {{ ka_try_cast("replace(" ~ value ~ ", 'T', ' ')", dbt.type_timestamp()) }}
        else cast({{ parse_date(expr) }} as {{ dbt.type_timestamp() }})
    end
{%- endmacro %}

{% macro duckdb__parse_timestamp(expr) -%}
    try_strptime({{ to_halfwidth('trim(' ~ expr ~ ')') }}, [
        '%Y-%m-%d %H:%M:%S', '%Y-%m-%dT%H:%M:%S', '%Y-%m-%d %H:%M',
        '%Y/%m/%d %H:%M:%S', '%Y/%m/%d %H:%M', '%Y%m%d %H:%M:%S', '%Y%m%d%H%M%S',
        '%Y-%m-%d %H:%M:%S.%f', '%Y-%m-%d', '%Y/%m/%d', '%Y%m%d'
    ])
{%- endmacro %}

{#-
    is_date_shaped(expr): the value looks like one of the accepted date (or timestamp)
    formats. Separates `unparseable_date` (not a date at all: "next week", "05/01/2024")
    from `impossible_date` (shaped like one but not in the calendar: 2024-02-30).
-#}
{% macro is_date_shaped(expr) -%}
    {{ ka_regex_matches(
        to_halfwidth('trim(' ~ expr ~ ')'),
        '([0-9]{4}-[0-9]{1,2}-[0-9]{1,2}|[0-9]{4}/[0-9]{1,2}/[0-9]{1,2}|[0-9]{8})'
        ~ '([ T][0-9]{1,2}:[0-9]{1,2}(:[0-9]{1,2}([.][0-9]+)?)?)?'
    ) }}
{%- endmacro %}

{#-
    parse_boolean(expr): true/false, 1/0, yes/no, y/n, t/f, active/inactive, 是/否,
    在职/离职 -> boolean; anything else -> null.
-#}
{% macro parse_boolean(expr) -%}
    case
        when {{ normalise_label(expr) }} in (
            'true', '1', 'yes', 'y', 't', 'active', '是', '在职'
        ) then true
        when {{ normalise_label(expr) }} in (
            'false', '0', 'no', 'n', 'f', 'inactive', '否', '离职'
        ) then false
    end
{%- endmacro %}
