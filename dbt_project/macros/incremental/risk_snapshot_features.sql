{#-
    How int_account_risk_snapshot_features is kept: incremental by snapshot.

    Each snapshot's rows carry `build_fingerprint`: the fingerprint of the snapshot's inputs
    and dates (int_risk_snapshot_fingerprints) combined with the rule that computed them
    (risk_features_fingerprint). A run computes only the snapshots whose current
    fingerprint is not in the table, replaces their rows (delete+insert by snapshot_date),
    and a post-hook deletes the rows whose fingerprint is no longer current: a month-end
    that rolled out of the backtest, or a snapshot rebuilt into no rows. After any run the
    table equals a full rebuild (tests/test_orchestration.py).
-#}

{#- risk_snapshot_features_config(): the model's config. Dispatched: Spark's parquet tables
    have no DELETE, so there the model is a table rebuilt whole each run. -#}
{% macro risk_snapshot_features_config() -%}
    {{ return(adapter.dispatch('risk_snapshot_features_config', 'ka_pipeline')()) }}
{%- endmacro %}

{% macro default__risk_snapshot_features_config() -%}
    {{ return({
        'materialized': 'incremental',
        'incremental_strategy': 'delete+insert',
        'unique_key': 'snapshot_date',
        'on_schema_change': 'sync_all_columns',
        'post_hook': ['{{ drop_stale_risk_snapshots() }}'],
    }) }}
{%- endmacro %}

{% macro spark__risk_snapshot_features_config() -%}
    {{ return({'materialized': 'table'}) }}
{%- endmacro %}

{#- risk_features_fingerprint(inputs_fingerprint): SQL for the build fingerprint of a
    snapshot: its inputs' fingerprint (an expression), the model's own code and the
    parameters it reads. A change of the model or of a parameter rebuilds every snapshot;
    a change in a macro it calls does not: run a full build after an upgrade, as for every
    incremental model. -#}
{% macro risk_features_fingerprint(inputs_fingerprint) -%}
    {%- set rule = [
        model.raw_code,
        var('risk_overdue_days'), var('risk_overdue_max_days'), var('risk_overdue_min_cny'),
    ] | join('|') -%}
    {{ hash_key([inputs_fingerprint, "'" ~ local_md5(rule) ~ "'"]) }}
{%- endmacro %}

{#- drop_stale_risk_snapshots(): the post-hook deleting rows whose fingerprint is no longer
    current (see above). -#}
{% macro drop_stale_risk_snapshots() -%}
    delete from {{ this }}
    where build_fingerprint not in (
        select {{ risk_features_fingerprint('inputs_fingerprint') }}
        from {{ ref('int_risk_snapshot_fingerprints') }}
    )
{%- endmacro %}
