{#-
    ka_salted_hash(expr): hex SHA-256 of the PII salt followed by `expr` (null stays null),
    for keys derived from personal data. The salt is bound per connection by the
    ka_pipeline.dbt_plugins.pii_salt plugin, so it never appears in compiled SQL. Another
    engine needs its own <adapter>__ka_salted_hash with its way of passing a secret.
-#}
{% macro ka_salted_hash(expr) -%}
    {{ return(adapter.dispatch('ka_salted_hash', 'ka_pipeline')(expr)) }}
{%- endmacro %}

{% macro default__ka_salted_hash(expr) -%}
    {{ exceptions.raise_compiler_error(
        "ka_salted_hash has no implementation for adapter " ~ adapter.type()
        ~ ": add " ~ adapter.type() ~ "__ka_salted_hash in macros/cross_db/ka_salted_hash.sql"
    ) }}
{%- endmacro %}

{% macro duckdb__ka_salted_hash(expr) -%}
    sha256(getvariable('ka_pii_salt') || {{ expr }})
{%- endmacro %}
