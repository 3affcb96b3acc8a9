"""`marts/mart_account_clusters` … `marts/mart_model_backtests`: one step that fits the
clusters, CLV and revenue forecasts on the marts and writes their tables.

One multi-asset, not eight assets: the tables come from one read of the warehouse and are
replaced in one transaction, so they always describe the same data. The keys sit under
`marts/` beside the dbt marts they are published with. scikit-learn and statsmodels are
imported inside the step (ka_pipeline.analytics imports them lazily), so loading the code
location stays fast.
"""

from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetExecutionContext,
    AssetKey,
    AssetSpec,
    MaterializeResult,
    MetadataValue,
    multi_asset,
)
from dagster_duckdb import DuckDBResource

from ka_pipeline.defs.resources import WAREHOUSE_POOL

ANALYTICS_GROUP = "analytics"

# the dbt models the stage reads (dbt_project/models/marts/analytics/, mart_run_parameters)
FEATURES = AssetKey(["marts", "int_analytics_account_features"])
CLV_INPUTS = AssetKey(["marts", "int_analytics_clv_inputs"])
REGION_MONTHS = AssetKey(["marts", "int_analytics_region_months"])
PARAMETERS = AssetKey(["marts", "mart_run_parameters"])
AS_OF = AssetKey(["marts", "int_as_of_date"])

_TABLES = {
    "mart_account_clusters": (
        [FEATURES],
        "One row per account: its k-means cluster, the "
        "cluster's name, distance to the centroid, 2-D PCA position.",
    ),
    "mart_cluster_profiles": (
        [FEATURES],
        "One row per cluster: name (zh/en), distinguishing "
        "features, size, mean of every feature, chosen k, silhouette.",
    ),
    "mart_cluster_centroids": (
        [FEATURES],
        "One row per cluster x feature: centroid (z-score "
        "and mean); the next run matches its clusters to these.",
    ),
    "mart_cluster_k_selection": (
        [FEATURES],
        "One row per k tried: silhouette, inertia, chosen or skipped and why.",
    ),
    "mart_account_clv": (
        [CLV_INPUTS],
        "One row per account: P(alive), expected orders and "
        "revenue in the horizon, CLV (BG/NBD + Gamma-Gamma).",
    ),
    "mart_clv_parameters": ([CLV_INPUTS], "The fitted BG/NBD and Gamma-Gamma parameters."),
    "mart_revenue_forecast": (
        [REGION_MONTHS],
        "Monthly revenue by region: history and the "
        "next months' ETS forecast with prediction intervals.",
    ),
    "mart_model_backtests": (
        [CLV_INPUTS, REGION_MONTHS],
        "Backtest of every model against naive baselines: one row per model x metric x baseline.",
    ),
}
KEYS = {name: AssetKey(["marts", name]) for name in _TABLES}
NAN_CHECKED = ("mart_account_clusters", "mart_account_clv", "mart_revenue_forecast",
               "mart_model_backtests", "mart_cluster_profiles")  # fmt: skip


def _spec(name: str) -> AssetSpec:
    deps, description = _TABLES[name]
    return AssetSpec(
        KEYS[name],
        deps=[*deps, PARAMETERS, AS_OF],
        group_name=ANALYTICS_GROUP,
        description=description + " Written by the analytics stage (docs/analytics.md).",
        kinds={"python", "duckdb"},
        owners=["team:analytics-engineering"],
    )


CHECKS = [
    *(
        AssetCheckSpec("no_nan", asset=KEYS[name], blocking=True,
                       description="No NaN or infinite value in any numeric column.")
        for name in NAN_CHECKED
    ),
    AssetCheckSpec("every_account_clustered", asset=KEYS["mart_account_clusters"],
                   blocking=True, description="Every account of the features has one cluster."),
    AssetCheckSpec("interval_contains_forecast", asset=KEYS["mart_revenue_forecast"],
                   blocking=True, description="lower <= forecast <= upper, all >= 0."),
]  # fmt: skip


@multi_asset(
    name="analytics_models",
    specs=[_spec(name) for name in _TABLES],
    check_specs=CHECKS,
    pool=WAREHOUSE_POOL,
    description="Clusters, CLV and revenue forecasts fitted on the marts (ka_pipeline/analytics).",
)
def analytics_models(context: AssetExecutionContext, warehouse: DuckDBResource):
    from ka_pipeline.analytics import DuckDBWarehouse, run_stage

    with warehouse.get_connection() as conn:
        result = run_stage(DuckDBWarehouse(conn))
        checks = list(_check_results(conn))
    context.log.info(
        f"{result.cluster_message}; CLV {result.clv_status}; "
        + ", ".join(f"{step} {s:.2f} s" for step, s in result.seconds.items())
    )
    stage_seconds = round(sum(result.seconds.values()), 3)
    for name, key in KEYS.items():
        metadata = {
            "dagster/row_count": result.row_counts[name],
            "stage_seconds": stage_seconds,
        }
        if name == "mart_cluster_profiles":
            metadata["chosen_k"] = result.chosen_k
            metadata["silhouette"] = (
                round(result.silhouette, 4) if result.silhouette is not None else "n/a"
            )
            metadata["clusters"] = result.cluster_message
        if name == "mart_model_backtests":
            metadata["backtests"] = MetadataValue.md(backtest_markdown(result.backtests))
        if name == "mart_account_clv":
            metadata["clv_status"] = result.clv_status
        yield MaterializeResult(asset_key=key, metadata=metadata)
    yield from checks


def backtest_markdown(backtests) -> str:
    lines = [
        "| model | metric | baseline | model | baseline | better |",
        "|---|---|---|---:|---:|---|",
    ]
    for row in backtests.itertuples():

        def cell(value):
            return "n/a" if value is None or value != value else f"{value:.4g}"

        better = {True: "yes", False: "no"}.get(row.model_beats_baseline, "–")
        lines.append(
            f"| {row.model_name} | {row.metric_name} | {row.baseline_name} | "
            f"{cell(row.model_value)} | {cell(row.baseline_value)} | {better} |"
        )
    return "\n".join(lines)


def _check_results(conn):
    for name in NAN_CHECKED:
        columns = [
            c
            for c, kind in conn.execute(
                "select column_name, data_type from information_schema.columns "
                "where table_schema = 'marts' and table_name = ?",
                [name],
            ).fetchall()
            if kind in ("DOUBLE", "FLOAT", "REAL")
        ]
        counts = {}
        if columns:
            sums = ", ".join(f"count(*) filter (where isnan({c}) or isinf({c}))" for c in columns)
            counts = dict(zip(columns, conn.execute(f"select {sums} from marts.{name}")
                              .fetchone(), strict=True))  # fmt: skip
        bad = {c: n for c, n in counts.items() if n}
        yield AssetCheckResult(
            asset_key=KEYS[name], check_name="no_nan", passed=not bad,
            severity=AssetCheckSeverity.ERROR, metadata={"nan_or_inf_by_column": bad or "none"},
        )  # fmt: skip
    features, clustered, unassigned = conn.execute(
        "select (select count(*) from marts_intermediate.int_analytics_account_features), "
        "(select count(distinct account_id) from marts.mart_account_clusters), "
        "(select count(*) from marts.mart_account_clusters where cluster_id is null)"
    ).fetchone()
    yield AssetCheckResult(
        asset_key=KEYS["mart_account_clusters"], check_name="every_account_clustered",
        passed=features == clustered and unassigned == 0,
        metadata={"accounts": features, "clustered": clustered, "without_cluster": unassigned},
    )  # fmt: skip
    broken = conn.execute(
        "select count(*) from marts.mart_revenue_forecast "
        "where not (lower_cny <= revenue_cny and revenue_cny <= upper_cny and lower_cny >= 0)"
    ).fetchone()[0]
    yield AssetCheckResult(
        asset_key=KEYS["mart_revenue_forecast"], check_name="interval_contains_forecast",
        passed=broken == 0, metadata={"rows_outside": broken},
    )  # fmt: skip
