{#-
    The processing window of the incremental facts.

    The orchestrator passes the days a run is about (`min_date`, `max_date`, see
    run_var.sql and dbt_project.yml); the window widens them by `incremental_overlap_days` so rows that
    arrive a few days late are picked up by the next nights too. There is no window (the
    fact is built from everything) on the first build, under --full-refresh, or when
    either var is null.
-#}

{#-
    incremental_window(): none, or {'start': <SQL date expression>, 'end': <SQL date
    expression>}; start is min_date - incremental_overlap_days.
-#}
{% macro incremental_window() -%}
    {%- if not is_incremental() -%}
        {{ return(none) }}
    {%- endif -%}
    {{ return(run_window()) }}
{%- endmacro %}

{#-
    run_window(): the same window from the run parameters alone, whatever is being executed (the
    scoped data tests use it, see check_scope.sql); none when either var is null.
-#}
{% macro run_window() -%}
    {%- set min_date, max_date = run_var('min_date', none), run_var('max_date', none) -%}
    {%- if min_date is none or max_date is none -%}
        {{ return(none) }}
    {%- else -%}
        {#- validated when running (execute); a linter renders the SQL only -#}
        {%- set checked = [('min_date', min_date), ('max_date', max_date)] if execute else [] -%}
        {%- for name, value in checked -%}
            {%- set text = value | string -%}
            {%- if not (text | length == 10 and text[4] == '-' and text[7] == '-'
                and (text[:4] ~ text[5:7] ~ text[8:]).isdigit()) -%}
                {%- do exceptions.raise_compiler_error(
                    "var '" ~ name ~ "' must be a date YYYY-MM-DD or null, got '" ~ text ~ "'"
                ) -%}
            {%- endif -%}
        {%- endfor -%}
        {%- set overlap = var('incremental_overlap_days', 3) | int -%}
        {%- if execute and (overlap < 0 or (min_date | string) > (max_date | string)) -%}
            {%- do exceptions.raise_compiler_error(
                "incremental window: need min_date <= max_date and incremental_overlap_days"
                ~ " >= 0, got min_date=" ~ min_date ~ ", max_date=" ~ max_date
                ~ ", incremental_overlap_days=" ~ overlap
            ) -%}
        {%- endif -%}
        {%- set first_day = "cast('" ~ min_date ~ "' as date)" -%}
        {{ return({
            'start': 'cast(' ~ dbt.dateadd('day', -overlap, first_day) ~ ' as date)',
            'end': "cast('" ~ max_date ~ "' as date)",
        }) }}
    {%- endif -%}
{%- endmacro %}

{#-
    in_incremental_window(expr): SQL predicate "expr's day lies in the window"; `true`
    (as 1 = 1) when there is no window, so a model can filter unconditionally.
-#}
{% macro in_incremental_window(expr) -%}
    {%- set window = incremental_window() -%}
    {%- if window is none -%}
        1 = 1
    {%- else -%}
        cast({{ expr }} as date) between {{ window.start }} and {{ window.end }}
    {%- endif -%}
{%- endmacro %}

{#-
    touched_days(relation, business_date, delivered_on='_partition_date'): a select of the
    distinct business days (column `business_date`) of the rows of `relation` (a CTE or
    relation) that lie in the window or were delivered in it: a late row makes its day
    part of the batch. Only used when there is a window.
-#}
{% macro touched_days(relation, business_date, delivered_on='_partition_date') -%}
    select distinct cast({{ business_date }} as date) as business_date
    from {{ relation }}
    where
        {{ in_incremental_window(business_date) }}
        or {{ in_incremental_window(delivered_on) }}
{%- endmacro %}

{#-
    order_changed_days(orders, order_lines): touched_days of the orders, plus the days of
    orders with a line delivered in the window. Shared by fct_orders and fct_order_lines,
    which must replace the same days.
-#}
{% macro order_changed_days(orders, order_lines) -%}
    {{ touched_days(orders, 'order_date') }}
    union
    select {{ orders }}.order_date as business_date
    from {{ orders }}
    inner join {{ order_lines }} as delivered_lines
        on {{ orders }}.order_id = delivered_lines.order_id
    where {{ in_incremental_window('delivered_lines._partition_date') }}
{%- endmacro %}
