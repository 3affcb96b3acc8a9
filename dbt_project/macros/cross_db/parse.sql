{#-
    Parsing delivered text into typed values. Every parser returns null when the value does
    not parse, never an error: the staging rules turn a null-but-delivered value into a
    quarantine reason (unparseable_date, non_numeric, ...).
-#}

{#-
    parse_number(expr, type): the delivered text as a number of `type`, or null when its
    notation is not one of the accepted ones (is_number_notation). Accepted: an optional
    sign and currency sign (¥ ￥), digits with optional thousands groups of exactly three
    separated by `,` or by spaces (one kind per value), an optional `.` decimal part and an
    optional exponent: `12,345.60`, ` 12 345.60 `, `１２３`, `¥1,200`, `-5`, `.5`, `2e3`.
    A decimal comma (`1 234,50`, `1.234,50`) or irregular groups (`1,2,3,4`) are refused:
    the reading is a guess (rule_number quarantines them as ambiguous_number); a file in
    such a notation declares it in its mapping (decimal_separator / thousands_separator).
-#}
{% macro parse_number(expr, type='decimal(18,2)') -%}
    case when {{ is_number_notation(expr) }}
        then {{ ka_try_cast(number_text(expr), type) }}
    end
{%- endmacro %}

{#- number_text(expr): the delivered number without currency signs and thousands
    separators, digits half-width; only meaningful where is_number_notation holds. -#}
{% macro number_text(expr) -%}
    replace(replace({{ _number_symbols(expr) }}, ',', ''), ' ', '')
{%- endmacro %}

{#- is_number_notation(expr): the delivered text is a number in an accepted notation. -#}
{% macro is_number_notation(expr) -%}
    {{ ka_regex_matches(
        _number_symbols(expr),
        '[-+]?([0-9]+|[0-9]{1,3}(,[0-9]{3})+|[0-9]{1,3}( [0-9]{3})+)([.][0-9]*)?([eE][-+]?[0-9]+)?'
        ~ '|[-+]?[.][0-9]+([eE][-+]?[0-9]+)?'
    ) }}
{%- endmacro %}

{#- is_number_like(expr): only digits, separators and signs, so meant as a number: when not
    in an accepted notation, the row is quarantined as ambiguous_number, not non_numeric. -#}
{% macro is_number_like(expr) -%}
    {{ ka_regex_matches(_number_symbols(expr), '[-+]?[0-9., ]*[0-9][0-9., ]*') }}
{%- endmacro %}

{#- The trimmed text with currency signs removed, full-width digits and NBSP mapped
    (translate() is slow: printable ASCII, the usual number, skips it). -#}
{% macro _number_symbols(expr) -%}
    trim(replace(replace(replace(
        case when {{ is_printable_ascii(expr) }} then {{ expr }} else {{ to_halfwidth(expr) }} end,
        '¥', ''), '￥', ''), ' ', ' '))
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
