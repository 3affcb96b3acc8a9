{#-
    The kinds of parameter value validate_parameters() accepts, each with the rule a bad
    value is told. Months, days and counts are whole numbers (integers, not 6.0): the models
    cut them with `| int`, so 2.5 months would silently become 2 and [6] a zero window.
    Bounds: `min` / `max` inclusive, `above` / `below` exclusive.
-#}
{% macro parameter_kinds() -%}
    {{ return({
        'months': {'whole': true, 'min': 1, 'rule': 'a whole number of months >= 1'},
        'days': {'whole': true, 'min': 1, 'rule': 'a whole number of days >= 1'},
        'grace_days': {'whole': true, 'min': 0, 'rule': 'a whole number of days >= 0'},
        'count': {'whole': true, 'min': 1, 'rule': 'a whole number >= 1'},
        'clusters': {'whole': true, 'min': 2, 'rule': 'a whole number of clusters >= 2'},
        'seed': {'whole': true, 'min': 0, 'rule': 'a whole number >= 0'},
        'share': {'min': 0, 'max': 1, 'rule': 'a number from 0 to 1'},
        'top_share': {'above': 0, 'max': 1, 'rule': 'a share of accounts, 0 < share <= 1'},
        'coverage': {'above': 0, 'below': 1, 'rule': 'a number between 0 and 1, exclusive'},
        'cny': {'min': 0, 'rule': 'an amount in CNY >= 0'},
        'ratio': {'min': 0, 'rule': 'a number >= 0'},
        'bound': {'above': 0, 'rule': 'a positive number'},
        'score': {'rule': 'a number'},
        'change': {'rule': 'a number'},
        'cutoffs': {'rule': '4 ascending numbers between 0 and 1, exclusive, e.g. [0.2, 0.4, 0.6, 0.8]'},
        'horizons': {'rule': 'a non-empty list of whole numbers of days >= 1, e.g. [90, 180]'},
        'date': {'rule': 'a date YYYY-MM-DD or null'},
    }) }}
{%- endmacro %}

{#- The rule `value` breaks as a `kind` parameter, or none. -#}
{% macro parameter_rule_broken(kind, value) -%}
    {%- set spec = parameter_kinds()[kind] -%}
    {%- if kind == 'date' -%}
        {%- set ok = value is none or _is_iso_date(value) -%}
    {%- elif kind == 'cutoffs' -%}
        {%- set ok = _is_number_list(value, 'coverage') and value | length == 4
            and value | sort | list == value | list and value | unique | list | length == 4 -%}
    {%- elif kind == 'horizons' -%}
        {%- set ok = _is_number_list(value, 'days') -%}
    {%- else -%}
        {%- set ok = _is_of_kind(spec, value) -%}
    {%- endif -%}
    {{ return(none if ok else spec.rule) }}
{%- endmacro %}

{#- A finite number (not a boolean, NaN or infinity) within the kind's bounds. -#}
{% macro _is_of_kind(spec, value) -%}
    {%- if value is not number or value is boolean or not _all_finite([value]) -%}
        {{ return(false) }}
    {%- endif -%}
    {{ return(
        (not spec.get('whole') or value is integer)
        and (spec.get('min') is none or value >= spec.min)
        and (spec.get('max') is none or value <= spec.max)
        and (spec.get('above') is none or value > spec.above)
        and (spec.get('below') is none or value < spec.below)
    ) }}
{%- endmacro %}

{#- A non-empty list (not a text or a mapping) whose items are all of `item_kind`. -#}
{% macro _is_number_list(value, item_kind) -%}
    {%- if value is string or value is mapping or value is not iterable or not value -%}
        {{ return(false) }}
    {%- endif -%}
    {%- set spec = parameter_kinds()[item_kind] -%}
    {%- for item in value -%}
        {%- if not _is_of_kind(spec, item) -%}{{ return(false) }}{%- endif -%}
    {%- endfor -%}
    {{ return(true) }}
{%- endmacro %}

{#- No NaN and no infinity: `.nan` and `.inf` are numbers to YAML, never parameters
    (x * 0 is 0 for every finite x, NaN for both). -#}
{% macro _all_finite(numbers) -%}
    {%- for number in numbers -%}
        {%- if not (number * 0 == 0) -%}{{ return(false) }}{%- endif -%}
    {%- endfor -%}
    {{ return(true) }}
{%- endmacro %}

{#- A YYYY-MM-DD text, or a date (YAML reads an unquoted 2026-06-30 as one). -#}
{% macro _is_iso_date(value) -%}
    {%- if value is not string -%}
        {{ return(value.year is defined and value.month is defined) }}
    {%- endif -%}
    {{ return(modules.re.fullmatch(
        '[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])', value
    ) is not none) }}
{%- endmacro %}
