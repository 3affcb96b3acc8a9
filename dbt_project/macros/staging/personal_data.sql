{#-
    The SQL side of the one redaction of personal data (ka_pipeline/personal_data.py holds
    the same patterns; tests/test_personal_data.py checks they agree). No backslashes, so
    the patterns read the same in every engine's string literals.
-#}
{% macro personal_data_patterns() -%}
    {{ return({
        'email': '[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+([.][A-Za-z0-9-]+)+',
        'phone': '([+]?86[ -]?)?1[3-9][0-9]([ -]?[0-9]{4}){2}'
            ~ '|0[1-9][0-9]{1,2}[ -][0-9]{3,4}[ -]?[0-9]{4}',
        'safe_token': '[A-Za-z0-9_.:/+-]*|[0-9][0-9 :/.T+-]*',
    }) }}
{%- endmacro %}

{#-
    redact_personal_data(expr, personal_entity): a delivered text value fit for the quarantine
    record. In an entity that holds personal data (a mis-shaped row shifts a name into any
    column) only a code, id, date or number is kept; elsewhere e-mail addresses and phone
    numbers inside the text are replaced.
-#}
{% macro redact_personal_data(expr, personal_entity=false) -%}
    {%- set patterns = personal_data_patterns() -%}
    {%- set text = 'cast(' ~ expr ~ ' as ' ~ dbt.type_string() ~ ')' -%}
    {%- set redacted = ka_regex_replace(
        ka_regex_replace(text, patterns.email, '(personal data)'),
        patterns.phone,
        '(personal data)'
    ) -%}
    {%- if personal_entity -%}
        case
            when {{ text }} is null then null
            when
                {{ ka_regex_matches(text, patterns.safe_token) }}
                and {{ redacted }} = {{ text }}
                then {{ text }}
            else '(personal data)'
        end
    {%- else -%}
        {{ redacted }}
    {%- endif -%}
{%- endmacro %}
