{#-
    accepted_range: every non-null value lies within [min_value, max_value] (either bound
    optional; `inclusive=false` makes both bounds strict).
-#}
{% test accepted_range(model, column_name, min_value=none, max_value=none, inclusive=true) %}

{%- set out_of_range = [] -%}
{%- if min_value is not none -%}
    {%- do out_of_range.append(
        column_name ~ (' < ' if inclusive else ' <= ') ~ min_value
    ) -%}
{%- endif -%}
{%- if max_value is not none -%}
    {%- do out_of_range.append(
        column_name ~ (' > ' if inclusive else ' >= ') ~ max_value
    ) -%}
{%- endif %}

select {{ column_name }}
from {{ model }}
where
    {{ column_name }} is not null
    and ({{ out_of_range | join(' or ') if out_of_range else 'false' }})

{% endtest %}
