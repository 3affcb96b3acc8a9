{#-
    validate_parameters(): fails the run before any model executes when a parameter
    (dbt_project.yml `vars:` or --vars) is not of its kind (macro parameter_kinds): the marts'
    parameters declare theirs in marts_parameters(), the others are listed here; `nullable`
    parameters may also be null, check_scope is 'full' or 'window'. Parameters are inlined
    into SQL, so this is also what keeps a value such as "30; drop table ..." out of it.
    Runs as the project's on-run-start hook.
-#}
{% macro validate_parameters() -%}
    {%- set checked = [
        {'name': 'min_date', 'kind': 'date', 'value': run_var('min_date', none)},
        {'name': 'max_date', 'kind': 'date', 'value': run_var('max_date', none)},
        {'name': 'batch_first_day', 'kind': 'date', 'value': run_var('batch_first_day', none)},
        {'name': 'incremental_overlap_days', 'kind': 'grace_days',
         'value': var('incremental_overlap_days', none)},
        {'name': 'share_gate_z', 'kind': 'ratio', 'value': var('share_gate_z', none)},
    ] -%}
    {%- for name in plausibility_bounds() -%}
        {%- do checked.append({'name': name, 'kind': 'bound', 'value': var(name, none)}) -%}
    {%- endfor -%}
    {%- for parameter in marts_parameters() -%}
        {%- do checked.append(parameter) -%}
    {%- endfor -%}
    {%- set problems = [] -%}
    {%- for parameter in checked -%}
        {%- set value = parameter.value -%}
        {%- set rule = none if (parameter.get('nullable') and value is none)
            else parameter_rule_broken(parameter.kind, value) -%}
        {%- if rule -%}
            {%- do problems.append(
                parameter.name ~ '=' ~ tojson(value) ~ ' (must be ' ~ rule
                ~ (', or null' if parameter.get('nullable') else '') ~ ')'
            ) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- set check_scope = run_var('check_scope', 'full') -%}
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

{#- The plausibility bounds of staging (rule_number's plausible_max, rule_plausible). -#}
{% macro plausibility_bounds() -%}
    {{ return([
        'plausible_max_quantity',
        'plausible_max_unit_price_cny',
        'plausible_max_line_amount_cny',
        'plausible_max_document_amount_cny',
    ]) }}
{%- endmacro %}
