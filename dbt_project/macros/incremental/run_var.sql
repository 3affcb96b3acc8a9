{#-
    run_var(name, default): a parameter of one run, not of the project: min_date,
    max_date, batch_first_day or check_scope.

    The orchestrator passes them as environment variables KA_RUN_<NAME>
    (ka_pipeline/defs/dbt/assets.py), read only while executing. As --vars they would
    change every night, and dbt re-parses the whole project whenever --vars change
    (~10 s a run on the sample); an environment variable read only at execution is not
    recorded by the parse, so the saved parse stays valid. Without the environment
    variable the var is used, so a hand-run `dbt build --vars '{min_date: ...}'` works.
-#}
{% macro run_var(name, default=none) -%}
    {%- set from_env = env_var('KA_RUN_' ~ name | upper, '') if execute else '' -%}
    {{ return(from_env if from_env else var(name, default)) }}
{%- endmacro %}
