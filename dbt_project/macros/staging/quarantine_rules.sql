{#-
    Validation rules of the base_ staging models. Each macro renders `when ... then '<code>'`
    branches of the `quarantine_reason` case expression; the first failing branch names
    the reason, as `<rule>:<column>` (see the quality models' docs for the list).

    Convention in the base models: `<column>` is the typed (parsed / mapped) value and
    `<column>_text` the delivered text, trimmed, empty as null.
-#}

{#- missing_key:<column> (or missing_value:<column> for a required non-key value). -#}
{% macro rule_missing(column, code='missing_key', text_column=none) -%}
    when {{ text_column or column }} is null then '{{ code }}:{{ column }}'
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
    non_numeric:<column>, then the range rule on the parsed number:
    `non_positive` (must be > 0), `negative` (must be >= 0) or `out_of_range`
    (min_value .. max_value). `integer_only` adds non_integer:<column> for 4.5 where a
    whole number is expected.
-#}
{% macro rule_number(
    column, check=none, min_value=none, max_value=none, integer_only=false
) -%}
    when {{ column }}_text is not null and {{ column }} is null
        then 'non_numeric:{{ column }}'
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

{#- unknown_enum:<column>: delivered but matching no alias of its enum_aliases domain. -#}
{% macro rule_enum(column) -%}
    when {{ column }}_text is not null and {{ column }} is null
        then 'unknown_enum:{{ column }}'
{%- endmacro %}

{#- malformed_json: a JSON-lines row whose delivered line is not a JSON object. -#}
{% macro rule_malformed_json(raw_line_column='_raw_line') -%}
    when {{ raw_line_column }} is not null and not {{ is_json_object(raw_line_column) }}
        then 'malformed_json'
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
