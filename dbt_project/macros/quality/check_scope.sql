{#-
    Scope of the data tests (var `check_scope`, dbt_project.yml).

    - `full`: every test reads its whole table (a full refresh, the weekly `full_check`
      job, any run without a window).
    - `window` (the nightly run): a test on an incremental model reads the rows of the
      run's window (`run_window()`) only, on the model's window column: meta
      `window_column` (base_ models: the delivery day) or `business_date` (facts).
      `unique` stays exact: it checks every key the window's rows carry, against the whole
      table. Tests on tables rebuilt in full (marts, reconciliation) keep their whole table,
      and the delivered_* tests judge the night's delivery batch as before.

    dbt applies a test's `where` config through get_where_subquery(); this override adds
    the window's predicate to it.
-#}
{% macro get_where_subquery(relation) -%}
    {%- set predicates = [config.get('where', ''), check_window_predicate(relation)]
        | select | list -%}
    {%- if predicates -%}
        {%- set filtered -%}
            (select * from {{ relation }} where ({{ predicates | join(') and (') }})) dbt_subquery
        {%- endset -%}
        {%- do return(filtered) -%}
    {%- endif -%}
    {%- do return(relation) -%}
{%- endmacro %}

{#- check_window_predicate(relation): the window's predicate of the test being run, or ''. -#}
{% macro check_window_predicate(relation) -%}
    {#- the value is checked at run start (validate_parameters) -#}
    {%- set scope = run_var('check_scope', 'full') -%}
    {%- set window = run_window() -%}
    {%- set tested = graph.nodes.get(model.attached_node) if model.attached_node else none -%}
    {%- if scope == 'full' or flags.FULL_REFRESH or window is none or tested is none
        or tested.config.materialized != 'incremental' -%}
        {{ return('') }}
    {%- endif -%}
    {%- set meta = tested.config.meta -%}
    {%- set column = meta.get('window_column') or meta.get('business_date') -%}
    {%- if not column -%}
        {{ return('') }}
    {%- endif -%}
    {%- set in_window = 'cast(' ~ column ~ ' as date) between ' ~ window.start
        ~ ' and ' ~ window.end -%}
    {%- set test = model.test_metadata.name if model.test_metadata else '' -%}
    {%- if test.startswith('delivered_') -%}
        {#- they judge their own batch already (batch_first_day, delivery_batch.sql) -#}
        {{ return('') }}
    {%- elif test == 'unique' -%}
        {%- set key = model.test_metadata.kwargs.column_name -%}
        {{ return(key ~ ' in (select ' ~ key ~ ' from ' ~ relation ~ ' where ' ~ in_window ~ ')') }}
    {%- elif test == 'unique_combination_of_columns' -%}
        {{ return('') }}
    {%- endif -%}
    {{ return(in_window) }}
{%- endmacro %}
