{#-
    identifying_attributes(): per entity, its business key and the attributes that say
    whom a row belongs to. A later delivery of the same key wins (row_status), but when one
    of these attributes differs between the kept copy and a replaced one, the change is a
    conflict that quality.dq_key_conflicts reports (an order moved to another account or
    sales rep moves its revenue, in mart_kpi_by_rep too). Entities whose attributes change
    legitimately over time (accounts, contacts, sales reps, products: kept as history) are
    not listed.
-#}
{% macro identifying_attributes() -%}
    {{ return([
        {'entity': 'crm/activities', 'key': ['activity_id'], 'attributes': ['account_id']},
        {'entity': 'crm/opportunities',
         'key': ['opportunity_id', 'stage_code', 'stage_changed_at'],
         'attributes': ['account_id']},
        {'entity': 'erp/orders', 'key': ['order_id'], 'attributes': ['account_id', 'rep_id']},
        {'entity': 'erp/order_lines', 'key': ['order_id', 'line_no'],
         'attributes': ['product_id']},
        {'entity': 'erp/invoices', 'key': ['invoice_id'],
         'attributes': ['account_id', 'order_id']},
        {'entity': 'erp/payments', 'key': ['payment_id'], 'attributes': ['invoice_id']},
        {'entity': 'feedback/surveys', 'key': ['survey_id'], 'attributes': ['account_id']},
        {'entity': 'feedback/complaints', 'key': ['complaint_id'],
         'attributes': ['account_id']},
        {'entity': 'feedback/tickets', 'key': ['ticket_id'], 'attributes': ['account_id']},
    ]) }}
{%- endmacro %}

{#- The key's values as one text, `O-1` or `O-1|2` for a composite key. -#}
{% macro key_text(columns, relation_alias) -%}
    {%- set parts = [] -%}
    {%- for column in columns -%}
        {%- if not loop.first %}{% do parts.append("'|'") %}{% endif -%}
        {%- do parts.append(
            'cast(' ~ relation_alias ~ '.' ~ column ~ ' as ' ~ dbt.type_string() ~ ')'
        ) -%}
    {%- endfor -%}
    {{ dbt.concat(parts) if parts | length > 1 else parts[0] }}
{%- endmacro %}
