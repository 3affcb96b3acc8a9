{#-
    not_null_columns: none of the listed columns is null. One test per model instead of one
    `not_null` per column: each dbt test node costs ~45 ms of dbt's own time whatever its
    query, and the ~460 per-column tests were half of a build's nodes. One failing row per
    row with a null; `null_columns` names the null columns of that row.
-#}
{% test not_null_columns(model, column_names) %}

{%- set named = [] -%}
{%- for column in column_names -%}
    {%- do named.append("case when " ~ column ~ " is null then '" ~ column ~ " ' else '' end") -%}
{%- endfor %}

select {{ dbt.concat(named) }} as null_columns
from {{ model }}
where {{ column_names | join(' is null or ') }} is null

{% endtest %}
