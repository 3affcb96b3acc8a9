{#-
    validate_parameters(): fails the run before any model executes when a parameter
    (dbt_project.yml `vars:` or --vars) is not of its kind: dates must be YYYY-MM-DD or
    null, lists non-empty lists of numbers, `nullable` parameters a number or null,
    everything else a finite number (not NaN), check_scope 'full' or 'window'. Parameters are inlined into
    SQL, so this is also what keeps a value such as "30; drop table ..." out of it.
    Runs as the project's on-run-start hook.
-#}
{% macro validate_parameters() -%}
    {%- set date_names = ['as_of_date', 'min_date', 'max_date'] -%}
    {%- set values = {
        'incremental_overlap_days': var('incremental_overlap_days', none),
        'share_gate_z': var('share_gate_z', none),
    } -%}
    {%- for name in plausibility_bounds() -%}
        {%- do values.update({name: var(name, none)}) -%}
    {%- endfor -%}
    {%- set nullable = [] -%}
    {%- for name in date_names -%}
        {%- do values.update({name: var(name, none)}) -%}
    {%- endfor -%}
    {%- for parameter in marts_parameters() -%}
        {%- do values.update({parameter.name: var(parameter.name, parameter.get('default'))}) -%}
        {%- if parameter.get('nullable') -%}{%- do nullable.append(parameter.name) -%}{%- endif -%}
    {%- endfor -%}
    {%- set problems = [] -%}
    {%- for name, value in values.items() -%}
        {%- set rule = none if (name in nullable and value is none)
            else _parameter_rule_broken(name in date_names, value) -%}
        {%- if not rule and name in plausibility_bounds() and not value > 0 -%}
            {%- set rule = 'a positive number' -%}
        {%- endif -%}
        {%- if rule -%}
            {%- do problems.append(name ~ '=' ~ tojson(value) ~ ' (must be ' ~ rule ~ ')') -%}
        {%- endif -%}
    {%- endfor -%}
    {%- set check_scope = var('check_scope', 'full') -%}
    {%- if check_scope not in ('full', 'window') -%}
        {%- do problems.append(
            'check_scope=' ~ tojson(check_scope) ~ " (must be 'full' or 'window')"
        ) -%}
    {%- endif -%}
    {%- if problems -%}
        {{ exceptions.raise_compiler_error(
            'Invalid dbt parameters (dbt_project.yml vars / --vars): ' ~ problems | join('; ')
        ) }}
    {%- endif -%}
{%- endmacro %}

{#- The rule `value` breaks, or none. -#}
{% macro _parameter_rule_broken(is_date, value) -%}
    {%- if is_date -%}
        {{ return(none if value is none or _is_iso_date(value) else 'a date YYYY-MM-DD or null') }}
    {%- elif value is string or value is none or value is boolean -%}
        {{ return('a number') }}
    {%- elif value is iterable -%}
        {%- set numbers = value | select('number') | reject('boolean') | list -%}
        {{ return(none if value | length > 0 and numbers | length == value | length
            and _all_finite(numbers) else 'a non-empty list of numbers') }}
    {%- endif -%}
    {{ return(none if value is number and _all_finite([value]) else 'a number') }}
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

{#- The plausibility bounds of staging (rule_number's plausible_max, rule_plausible). -#}
{% macro plausibility_bounds() -%}
    {{ return([
        'plausible_max_quantity',
        'plausible_max_unit_price_cny',
        'plausible_max_line_amount_cny',
        'plausible_max_document_amount_cny',
    ]) }}
{%- endmacro %}
