{#-
    date_series(start_date, end_date): a select returning one row per day, column
    `date_day`, from start_date to end_date inclusive. Both arguments are SQL expressions
    (they may be scalar subqueries).
-#}
{% macro date_series(start_date, end_date) -%}
    {{ return(adapter.dispatch('date_series', 'ka_pipeline')(start_date, end_date)) }}
{%- endmacro %}

{% macro default__date_series(start_date, end_date) -%}
    {#- a recursive CTE: ANSI SQL, understood by postgres, trino, snowflake, ... -#}
    with recursive days (date_day) as (
        select cast({{ start_date }} as date)
        union all
        select cast({{ dbt.dateadd('day', 1, 'date_day') }} as date)
        from days
        where date_day < cast({{ end_date }} as date)
    )

    select date_day from days
{%- endmacro %}

{% macro duckdb__date_series(start_date, end_date) -%}
    select cast(unnest(generate_series(
        cast({{ start_date }} as date), cast({{ end_date }} as date), interval 1 day
    )) as date) as date_day
{%- endmacro %}

{% macro spark__date_series(start_date, end_date) -%}
    select explode(sequence(
        cast({{ start_date }} as date), cast({{ end_date }} as date), interval 1 day
    )) as date_day
{%- endmacro %}

{#- iso_day_of_week(expr): 1 = Monday .. 7 = Sunday. -#}
{% macro iso_day_of_week(expr) -%}
    {{ return(adapter.dispatch('iso_day_of_week', 'ka_pipeline')(expr)) }}
{%- endmacro %}

{% macro default__iso_day_of_week(expr) -%}
    cast(extract(isodow from {{ expr }}) as {{ dbt.type_int() }})
{%- endmacro %}

{% macro spark__iso_day_of_week(expr) -%}
    cast(extract(dayofweek_iso from {{ expr }}) as int)
{%- endmacro %}

{#- iso_week(expr): ISO 8601 week number (1..53). -#}
{% macro iso_week(expr) -%}
    {{ return(adapter.dispatch('iso_week', 'ka_pipeline')(expr)) }}
{%- endmacro %}

{% macro default__iso_week(expr) -%}
    cast(extract(week from {{ expr }}) as {{ dbt.type_int() }})
{%- endmacro %}

{#- iso_year(expr): the ISO 8601 year the ISO week belongs to. -#}
{% macro iso_year(expr) -%}
    {{ return(adapter.dispatch('iso_year', 'ka_pipeline')(expr)) }}
{%- endmacro %}

{% macro default__iso_year(expr) -%}
    cast(extract(isoyear from {{ expr }}) as {{ dbt.type_int() }})
{%- endmacro %}

{% macro spark__iso_year(expr) -%}
    cast(extract(yearofweek from {{ expr }}) as int)
{%- endmacro %}

{#-
    hours_between(start, end): elapsed hours as a decimal with two places, rounded like the
    marts (marts_round): a plain cast rounds 1062558 s / 3600 = 295.155 h to 295.15 on
    DuckDB (a double just below .155) and to 295.16 on Spark (exact decimal).
-#}
{% macro hours_between(start_ts, end_ts) -%}
    cast({{ marts_round(dbt.datediff(start_ts, end_ts, 'second') ~ ' / 3600.0', 2) }}
        as decimal(18, 2))
{%- endmacro %}
