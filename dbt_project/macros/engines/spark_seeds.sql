{#-
    Seeds on Spark with the `session` connection method: dbt-spark formats the row values
    into the INSERT without escaping them (a quote in a seed's text, like "don't", breaks
    the statement, and an empty cell arrives as the text 'None'). This override writes
    each value as an escaped SQL literal instead, and an empty cell as null.
-#}
-- (the linter cannot follow the nested loops of this statement builder)
-- noqa: disable=LT02
{% macro spark__load_csv_rows(model, agate_table) -%}
    {%- set column_override = model['config'].get('column_types', {}) -%}
    {%- set statements = [] -%}
    {%- for chunk in agate_table.rows | batch(get_batch_size()) -%}
        {%- set sql -%}
            insert into {{ this.render() }} values
            {% for row in chunk -%}
                ({%- for value in row -%}
                    {%- set column = agate_table.column_names[loop.index0] -%}
                    {%- set type = column_override.get(
                        column, adapter.convert_type(agate_table, loop.index0)
                    ) -%}
                    cast({{ spark_literal(value) }} as {{ type }})
                    {%- if not loop.last %}, {% endif -%}
                {%- endfor -%})
                {%- if not loop.last %},{% endif %}
            {% endfor -%}
        {%- endset -%}
        {%- do adapter.add_query(sql, abridge_sql_log=True) -%}
        {%- if loop.first %}{% do statements.append(sql) %}{% endif -%}
    {%- endfor -%}
    {{ return(statements[0]) }}
{%- endmacro %}

{#- spark_literal(value): a Python value from a seed as a Spark SQL literal. -#}
{% macro spark_literal(value) -%}
    {%- if value is none -%}
        null
    {%- elif value is sameas true or value is sameas false -%}
        {{ 'true' if value else 'false' }}
    {%- elif value is number -%}
        {{ value }}
    {%- else -%}
        '{{ value | string | replace("\\", "\\\\") | replace("'", "\\'") }}'
    {%- endif -%}
{%- endmacro %}
