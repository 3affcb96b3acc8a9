{#- ka_regex_matches(expr, pattern): the WHOLE value matches the regular expression. -#}
{% macro ka_regex_matches(expr, pattern) -%}
    {{ return(adapter.dispatch('ka_regex_matches', 'ka_pipeline')(expr, pattern)) }}
{%- endmacro %}

{% macro default__ka_regex_matches(expr, pattern) -%}
    ({{ expr }} ~ '^({{ pattern }})$')
{%- endmacro %}

{% macro duckdb__ka_regex_matches(expr, pattern) -%}
    regexp_full_match({{ expr }}, '{{ pattern }}')
{%- endmacro %}

{% macro spark__ka_regex_matches(expr, pattern) -%}
    ({{ expr }} rlike '^({{ pattern }})$')
{%- endmacro %}

{#- ka_regex_replace(expr, pattern, replacement): every match replaced (no back-references). -#}
{% macro ka_regex_replace(expr, pattern, replacement) -%}
    {{ return(adapter.dispatch('ka_regex_replace', 'ka_pipeline')(expr, pattern, replacement)) }}
{%- endmacro %}

{% macro default__ka_regex_replace(expr, pattern, replacement) -%}
    regexp_replace({{ expr }}, '{{ pattern }}', '{{ replacement }}', 'g')
{%- endmacro %}

{% macro spark__ka_regex_replace(expr, pattern, replacement) -%}
    {#- Spark's regexp_replace replaces every match -#}
    regexp_replace({{ expr }}, '{{ pattern }}', '{{ replacement }}')
{%- endmacro %}
