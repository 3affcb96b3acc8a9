"""The whole stage: read the parameters and inputs, fit, backtest, write the tables."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import pandas as pd

from ka_pipeline.analytics.backtest import BACKTEST_COLUMNS
from ka_pipeline.analytics.features import as_of_date
from ka_pipeline.analytics.params import AnalyticsParams, read_params
from ka_pipeline.analytics.warehouse import AnalyticsWarehouse

# every table the stage writes (schema marts), in the order of the docs
ANALYTICS_TABLES = (
    "mart_account_clusters",
    "mart_cluster_profiles",
    "mart_cluster_centroids",
    "mart_cluster_k_selection",
    "mart_account_clv",
    "mart_clv_parameters",
    "mart_revenue_forecast",
    "mart_model_backtests",
)


@dataclass
class StageResult:
    params: AnalyticsParams
    row_counts: dict[str, int]
    chosen_k: int
    silhouette: float | None
    cluster_message: str
    clv_status: str
    backtests: pd.DataFrame
    seconds: dict[str, float] = field(default_factory=dict)


def run_stage(warehouse: AnalyticsWarehouse, params: AnalyticsParams | None = None) -> StageResult:
    """Fit every model on `warehouse` (DuckDB or Spark) and replace the stage's tables.

    `params` defaults to the values of the last dbt run (marts.mart_run_parameters)."""
    from threadpoolctl import threadpool_limits

    # Account-grain data is small: one BLAS / OpenMP thread is fastest, and on a shared
    # machine idle OpenMP workers spinning for a busy core made k-means 10x slower.
    with threadpool_limits(limits=1):
        return _run(warehouse, params or read_params(warehouse))


def _run(warehouse: AnalyticsWarehouse, params: AnalyticsParams) -> StageResult:
    from ka_pipeline.analytics.account_clusters import cluster_tables
    from ka_pipeline.analytics.account_clv import clv_backtest, clv_table
    from ka_pipeline.analytics.revenue_forecast import forecast_table

    as_of = as_of_date(warehouse)
    seconds: dict[str, float] = {}

    start = time.perf_counter()
    tables, fit = cluster_tables(warehouse, params, as_of)
    seconds["clusters"] = time.perf_counter() - start

    start = time.perf_counter()
    clv, clv_parameters, clv_status = clv_table(warehouse, params, as_of)
    tables["mart_account_clv"] = clv
    tables["mart_clv_parameters"] = clv_parameters
    rows = clv_backtest(warehouse, params)
    seconds["clv"] = time.perf_counter() - start

    start = time.perf_counter()
    forecast, forecast_rows = forecast_table(warehouse, params, as_of)
    tables["mart_revenue_forecast"] = forecast
    rows += forecast_rows
    seconds["forecast"] = time.perf_counter() - start

    backtests = pd.DataFrame(rows, columns=BACKTEST_COLUMNS)
    backtests.insert(0, "as_of_date", as_of)
    # CLV reads its cut-off as a timestamp, the forecast its months as dates: one type
    for column in ("cutoff_date", "evaluated_from", "evaluated_to"):
        backtests[column] = pd.to_datetime(backtests[column]).dt.date
    backtests = backtests.sort_values(["model_name", "metric_name", "baseline_name"])
    tables["mart_model_backtests"] = backtests.reset_index(drop=True)

    start = time.perf_counter()
    warehouse.replace_tables({name: tables[name] for name in ANALYTICS_TABLES}, _documentation())
    seconds["write"] = time.perf_counter() - start

    return StageResult(
        params=params,
        row_counts={name: len(tables[name]) for name in ANALYTICS_TABLES},
        chosen_k=fit.chosen_k,
        silhouette=fit.silhouette,
        cluster_message=fit.message,
        clv_status=clv_status,
        backtests=tables["mart_model_backtests"],
        seconds=seconds,
    )


def _documentation() -> dict:
    """The descriptions of the dbt source `analytics`, or none without a compiled manifest."""
    from ka_pipeline.exposures import ManifestError, source_documentation

    try:
        return source_documentation("analytics")
    except ManifestError:
        return {}
