{#-
    fingerprint_agg(columns): an aggregate that changes when any row of the group, or the
    set of rows, changes: the xor of a 64-bit hash of each row's `columns` (list of SQL
    expressions; include the row's key, so two equal rows cannot cancel out). For
    "has this input changed since the last build" (int_risk_snapshot_fingerprints), not a
    key: the value is engine-specific. Dispatched.
-#}
{% macro fingerprint_agg(columns) -%}
    {{ return(adapter.dispatch('fingerprint_agg', 'ka_pipeline')(columns)) }}
{%- endmacro %}

{% macro default__fingerprint_agg(columns) -%}
    {{ exceptions.raise_compiler_error(
        "fingerprint_agg has no implementation for " ~ target.type
    ) }}
{%- endmacro %}

{% macro duckdb__fingerprint_agg(columns) -%}
    bit_xor(hash({{ columns | join(', ') }}))
{%- endmacro %}

{% macro spark__fingerprint_agg(columns) -%}
    bit_xor(xxhash64({{ columns | join(', ') }}))
{%- endmacro %}
