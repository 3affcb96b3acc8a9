{#- Helpers for the marts layer (models/marts). Portable SQL by default; DuckDB-specific
    syntax only inside the duckdb__ implementations of dispatched macros. -#}

{#- Division that returns null instead of failing (or dividing integers) when the
    denominator is 0 or null. -#}
{% macro marts_safe_divide(numerator, denominator) -%}
    (cast({{ numerator }} as {{ marts_type_double() }}) / nullif({{ denominator }}, 0))
{%- endmacro %}

{#- Money in CNY, 2 decimals: the type of every *_cny column of the marts. Rounded with
    marts_round: casting a double straight to decimal(18, 2) rounds differently on DuckDB
    and Spark (10077.925 -> 10077.92 against 10077.93). -#}
{% macro marts_money(expression) -%}
    cast({{ marts_round(expression, 2) }} as decimal(18, 2))
{%- endmacro %}

{#- round() through a decimal: round(double, n) does not exist on every engine (postgres),
    and rounding a decimal is exact (half away from zero). The decimal has 6 places, not
    more: a quotient like 12636.915 arrives as the double 12636.914999999997, which
    engines cast to 12 places differently (DuckDB ...915000000000, Spark ...914999999997,
    then 12636.92 against .91); at 6 places both read 12636.915000. -#}
{% macro marts_round(expression, digits) -%}
    round(cast({{ expression }} as decimal(38, 6)), {{ digits }})
{%- endmacro %}

{#- Rates, shares and relative changes (0.25 = 25 %), 4 decimals. -#}
{% macro marts_rate(expression) -%}
    cast({{ marts_round(expression, 4) }} as decimal(12, 4))
{%- endmacro %}

{#- Averages of scores and day counts, 2 decimals. -#}
{% macro marts_avg(expression) -%}
    cast({{ marts_round(expression, 2) }} as decimal(12, 2))
{%- endmacro %}

{#- A number as text for the readable reasons, e.g. 1234567.8 -> '1,234,568'. -#}
{% macro marts_format_number(expression, decimals=0) -%}
    {{ return(adapter.dispatch('marts_format_number')(expression, decimals)) }}
{%- endmacro %}

{% macro default__marts_format_number(expression, decimals=0) -%}
    cast({{ marts_round(expression, decimals) }} as {{ dbt.type_string() }})
{%- endmacro %}

{#- rounded as a decimal first (half away from zero on every engine), then formatted -#}
{% macro duckdb__marts_format_number(expression, decimals=0) -%}
    format('{:,.{{ decimals }}f}', cast({{ marts_round(expression, decimals) }} as double))
{%- endmacro %}

{% macro spark__marts_format_number(expression, decimals=0) -%}
    format_number({{ marts_round(expression, decimals) }}, {{ decimals }})
{%- endmacro %}

{#- A ratio as a percentage text, e.g. -0.3512 -> '-35.1%'. -#}
{% macro marts_format_pct(expression) -%}
    {{ marts_format_number('100 * (' ~ expression ~ ')', 1) }} || '%'
{%- endmacro %}

{#- Median of a numeric column (aggregate). -#}
{% macro marts_median(expression) -%}
    {{ return(adapter.dispatch('marts_median')(expression)) }}
{%- endmacro %}

{% macro default__marts_median(expression) -%}
    percentile_cont(0.5) within group (order by {{ expression }})
{%- endmacro %}

{% macro duckdb__marts_median(expression) -%}
    median({{ expression }})
{%- endmacro %}

{#- A date `months` rolling months before `date_expression` (a date, not a timestamp).
    `| int`: parse renders every model before validate_parameters runs, and a bad value
    (`{}`, `[]`) must reach its message, not stop the parse. -#}
{% macro marts_months_before(date_expression, months) -%}
    cast({{ dbt.dateadd('month', -1 * (months | int), date_expression) }} as date)
{%- endmacro %}

{#- The RFM quintile cut-offs: a position p in [0, 1) (share of accounts ranked strictly
    worse) scores 1 + the number of cut-offs <= p. Default quintiles. -#}
{% macro marts_rfm_score(position_expression) -%}
    {#- parse renders the default: a bad value must reach validate_parameters' message -#}
    {%- set cutoffs = var('rfm_score_cutoffs', [0.2, 0.4, 0.6, 0.8])
        if execute else [0.2, 0.4, 0.6, 0.8] %}
    {%- if cutoffs | length != 4 %}
        {{ exceptions.raise_compiler_error('rfm_score_cutoffs needs 4 shares, got ' ~ cutoffs) }}
    {%- endif %}
    case
    {%- for cutoff in cutoffs | reverse %}
        when {{ position_expression }} >= {{ cutoff }} then {{ 5 - loop.index0 }}
    {%- endfor %}
        else 1
    end
{%- endmacro %}

{#- Counts, days and scores as integer (count(*) and rank() are bigint on most engines). -#}
{% macro marts_int(expression) -%}
    cast({{ expression }} as {{ dbt.type_int() }})
{%- endmacro %}

{#- A double-precision float type (dbt.type_float() is 4-byte FLOAT on DuckDB, too coarse
    for money and for comparing shares with their thresholds). -#}
{% macro marts_type_double() -%}
    {{ return(adapter.dispatch('marts_type_double')()) }}
{%- endmacro %}

{% macro default__marts_type_double() -%}
    double precision
{%- endmacro %}

{% macro bigquery__marts_type_double() -%}
    float64
{%- endmacro %}

{#- A select of the integers 1 .. n (n known at compile time) in column generated_number:
    plain `union all`, so it runs on any engine (n is small: scores, rolling months). -#}
{% macro marts_number_series(n) -%}
    select 1 as generated_number
    {%- for i in range(2, n + 1) %}
    union all select {{ i }} as generated_number
    {%- endfor %}
{%- endmacro %}

{#- The dbt invocation id and run start time (defined in every dbt run; the fallbacks
    only serve SQL linting, which renders without dbt's context). -#}
{% macro marts_invocation_id() -%}
    '{{ invocation_id if invocation_id is defined else "" }}'
{%- endmacro %}

{% macro marts_run_started_at() -%}
    {%- set started = run_started_at.strftime('%Y-%m-%d %H:%M:%S')
        if run_started_at is defined else none -%}
    cast({{ "'" ~ started ~ "'" if started else 'null' }} as {{ dbt.type_timestamp() }})
{%- endmacro %}

{% macro spark__marts_type_double() -%}
    double
{%- endmacro %}
