{#-
    ordered_listagg(measure, delimiter_text, order_by): the group's `measure` values joined
    by `delimiter_text` (a SQL string literal), in the order of the `order_by` expressions
    (a list, each ascending: negate a number to sort it descending), ties broken by the
    value itself so the text is the same on every engine and every run.
    dbt's listagg drops the order on Spark, so Spark sorts a collected array instead.
-#}
{% macro ordered_listagg(measure, delimiter_text, order_by) -%}
    {{ return(adapter.dispatch('ordered_listagg', 'ka_pipeline')(
        measure, delimiter_text, order_by
    )) }}
{%- endmacro %}

{% macro default__ordered_listagg(measure, delimiter_text, order_by) -%}
    {{ dbt.listagg(measure, delimiter_text, 'order by ' ~ (order_by + [measure]) | join(', ')) }}
{%- endmacro %}

{% macro spark__ordered_listagg(measure, delimiter_text, order_by) -%}
    {%- set fields = [] -%}
    {%- for expr in order_by -%}
        {%- do fields.append("'k" ~ loop.index ~ "', " ~ expr) -%}
    {%- endfor -%}
    array_join(transform(
        array_sort(collect_list(named_struct({{ fields | join(', ') }}, 'v', {{ measure }}))),
        x -> x.v
    ), {{ delimiter_text }})
{%- endmacro %}
