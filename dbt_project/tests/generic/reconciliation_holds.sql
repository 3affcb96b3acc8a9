{#-
    reconciliation_holds: every delivered file is fully accounted for. Fails with one row
    per file whose delivered rows differ from staged + quarantined + duplicate rows.
-#}
{% test reconciliation_holds(model, column_name='is_reconciled') %}

select *
from {{ model }}
where not coalesce({{ column_name }}, false)

{% endtest %}
