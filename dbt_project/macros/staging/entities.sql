{#-
    source_entities(): every entity of the landing contract (ka_pipeline/landing/contract.py)
    as [system, entity] pairs. The quality models loop over it; it must list exactly the
    sources declared in models/staging/*/_*__sources.yml (a new entity is added in both).
-#}
{% macro source_entities() -%}
    {{ return([
        ['crm', 'accounts'],
        ['crm', 'contacts'],
        ['crm', 'sales_reps'],
        ['crm', 'opportunities'],
        ['crm', 'activities'],
        ['erp', 'products'],
        ['erp', 'orders'],
        ['erp', 'order_lines'],
        ['erp', 'invoices'],
        ['erp', 'payments'],
        ['feedback', 'surveys'],
        ['feedback', 'complaints'],
        ['feedback', 'tickets'],
    ]) }}
{%- endmacro %}

{#-
    personal_data_columns(): delivered columns holding personal data, per source table
    (the same list as PERSONAL_DATA_COLUMNS in ka_pipeline/personal_data.py).
    They never leave raw: staging does not select them and the quarantine record of a
    row (dq_quarantined_rows.original_values) leaves them out and redacts the other
    values of such a table (macro redact_personal_data).
-#}
{% macro personal_data_columns(source_name, table_name) -%}
    {%- set columns = {
        'crm.contacts': ['contact_name', 'phone', 'email'],
    } -%}
    {{ return(columns.get(source_name ~ '.' ~ table_name, [])) }}
{%- endmacro %}

{#-
    delivered_columns(source_name, table_name): the contract columns of a source table as
    documented in its YAML (lineage columns left out, `_raw_line` kept for JSON lines),
    without personal data. Empty at parse time.
-#}
{% macro delivered_columns(source_name, table_name) -%}
    {%- if not execute -%}{{ return([]) }}{%- endif -%}
    {%- set node = graph.sources.values()
        | selectattr('source_name', 'equalto', source_name)
        | selectattr('name', 'equalto', table_name)
        | first -%}
    {%- set excluded = personal_data_columns(source_name, table_name) -%}
    {%- set columns = [] -%}
    {%- for name in node.columns -%}
        {%- if name not in excluded and (not name.startswith('_') or name == '_raw_line') -%}
            {%- do columns.append(name) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(columns) }}
{%- endmacro %}
