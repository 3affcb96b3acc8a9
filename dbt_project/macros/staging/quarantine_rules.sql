{#-
    Validation rules of the base_ staging models. Each macro renders `when ... then '<code>'`
    branches of the `quarantine_reason` case expression; the first failing branch names
    the reason, as `<rule>:<column>` (see the quality models' docs for the list).

    Convention in the base models: `<column>` is the typed (parsed / mapped) value and
    `<column>_text` the delivered text, trimmed, empty as null.
-#}

{#-
    missing_key:<column> (or missing_value:<column> for a required non-key value). A key
    (the default code) must also be a plain value: json_key:<column> when it is a JSON
    array or object (`["A000014"]`, delivered in a JSON line), invalid_key:<column> when it
    still holds a character clean_key cannot read (a private-use or unassigned code point).
-#}
{% macro rule_missing(column, code='missing_key', text_column=none) -%}
    when {{ text_column or column }} is null then '{{ code }}:{{ column }}'
    {%- if code == 'missing_key' and text_column is none %}
        {{ rule_key_shape(column) }}
    {%- endif %}
{%- endmacro %}

{#- json_key / invalid_key for a key that may be null (an optional reference). -#}
{% macro rule_key_shape(column) -%}
    when {{ is_json_container(column) }} then 'json_key:{{ column }}'
    when {{ has_unreadable_characters(column) }} then 'invalid_key:{{ column }}'
{%- endmacro %}

{#-
    unparseable_date:<column> (not shaped like a date), impossible_date:<column> (shaped
    like one but not in the calendar, or before 1900) and, when `check_future`,
    future_date:<column> (more than one day after the file's business day).
-#}
{% macro rule_dates(column, check_future=true) -%}
    when {{ column }}_text is not null and {{ column }} is null
        and not {{ is_date_shaped(column ~ '_text') }}
        then 'unparseable_date:{{ column }}'
    when {{ column }}_text is not null
        and ({{ column }} is null or cast({{ column }} as date) < cast('1900-01-01' as date))
        then 'impossible_date:{{ column }}'
    {%- if check_future %}
    when cast({{ column }} as date)
        > cast({{ dbt.dateadd('day', 1, '_partition_date') }} as date)
        then 'future_date:{{ column }}'
    {%- endif %}
{%- endmacro %}

{#-
    The number rules, on `<column>` parsed by parse_number from `<column>_text`:
    - ambiguous_number:<column>: digits and separators in no accepted notation (`1 234,50`,
      `1.234,50`, `1,2,3,4`), so any reading would be a guess;
    - non_numeric:<column>: not a number at all (`N/A`);
    - implausible:<column>: a number too large for the column's type, or whose absolute
      value exceeds the plausibility bound `plausible_max` (a var of dbt_project.yml);
    - rounded_number:<column>: the typed value differs from the delivered one (`0.005` in a
      2-decimal column, `1e-3`, `1.5` as a line number): never changed silently;
    then `integer_only` adds non_integer:<column> (4.5 where a whole number is expected)
    and the range rule: `non_positive` (must be > 0), `negative` (must be >= 0) or
    `out_of_range` (min_value .. max_value).
-#}
{% macro rule_number(
    column, check=none, min_value=none, max_value=none, integer_only=false,
    plausible_max=none
) -%}
    {%- set text = column ~ '_text' %}
    when {{ text }} is not null and {{ column }} is null and not {{ is_number_notation(text) }}
        and {{ is_number_like(text) }}
        then 'ambiguous_number:{{ column }}'
    when {{ text }} is not null and {{ column }} is null and not {{ is_number_notation(text) }}
        then 'non_numeric:{{ column }}'
    when {{ text }} is not null and {{ column }} is null then 'implausible:{{ column }}'
    {%- if plausible_max %}
    when abs({{ column }}) > {{ var(plausible_max) }} then 'implausible:{{ column }}'
    {%- endif %}
    when cast({{ column }} as {{ dbt.type_float() }})
        <> {{ ka_try_cast(number_text(text), dbt.type_float()) }}
        then 'rounded_number:{{ column }}'
    {%- if integer_only %}
    when {{ column }} <> floor({{ column }}) then 'non_integer:{{ column }}'
    {%- endif %}
    {%- if check == 'non_positive' %}
    when {{ column }} <= 0 then 'non_positive:{{ column }}'
    {%- elif check == 'negative' %}
    when {{ column }} < 0 then 'negative:{{ column }}'
    {%- elif check == 'out_of_range' %}
    when {{ column }} < {{ min_value }} or {{ column }} > {{ max_value }}
        then 'out_of_range:{{ column }}'
    {%- endif %}
{%- endmacro %}

{#- implausible:<name>: a derived measure (e.g. a line's quantity x unit price) whose
    absolute value exceeds the plausibility bound `plausible_max` (a var). -#}
{% macro rule_plausible(name, expr, plausible_max) -%}
    when abs({{ expr }}) > {{ var(plausible_max) }} then 'implausible:{{ name }}'
{%- endmacro %}

{#- unknown_enum:<column>: delivered but matching no alias of its enum_aliases domain. -#}
{% macro rule_enum(column) -%}
    when {{ column }}_text is not null and {{ column }} is null
        then 'unknown_enum:{{ column }}'
{%- endmacro %}

{#-
    malformed_json: a JSON-lines row whose delivered line is not a JSON object;
    duplicate_json_key: an object that names one key twice ({"score": 5, "score": 1}),
    so which value counts would be the parser's guess.
-#}
{% macro rule_malformed_json(raw_line_column='_raw_line') -%}
    when {{ raw_line_column }} is not null and not {{ is_json_object(raw_line_column) }}
        then 'malformed_json'
    when {{ raw_line_column }} is not null and {{ has_duplicate_json_keys(raw_line_column) }}
        then 'duplicate_json_key'
{%- endmacro %}

{#- row_status: what became of a delivered row. A broken rule wins (quarantined), then a
    later copy of the same business key (duplicate, copy_rank > 1 in ranked_copies), else
    staged. dq_file_reconciliation counts these three classes against the delivered rows. -#}
{% macro row_status(validated='validated', ranked_copies='ranked_copies') -%}
    case
        when {{ validated }}.quarantine_reason is not null then 'quarantined'
        when {{ ranked_copies }}.copy_rank > 1 then 'duplicate'
        else 'staged'
    end
{%- endmacro %}
