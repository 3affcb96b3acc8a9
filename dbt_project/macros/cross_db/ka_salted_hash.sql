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

{#-
    Spark: the salt comes from the driver's environment through Spark's variable
    substitution (`${env:KA_PII_SALT}`, replaced when Spark parses the statement), so the
    compiled SQL holds the placeholder only. `ka-pipeline spark build` sets the variable
    from the installation's salt; run by hand without it, the query stops with an error
    rather than hashing with an empty salt.
-#}
{% macro spark__ka_salted_hash(expr) -%}
    {%- set salt = "'${env:KA_PII_SALT}'" -%}
    sha2(concat(
        case
            when length({{ salt }}) >= 16 and {{ salt }} not like '$%' then {{ salt }}
            else raise_error('KA_PII_SALT is not set (at least 16 characters) for ka_salted_hash')
        end,
        {{ expr }}
    ), 256)
{%- endmacro %}
