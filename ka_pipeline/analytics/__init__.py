"""The analytics stage: clusters, CLV and revenue forecasts fitted on the marts.

Plain Python, no Dagster (the asset is `ka_pipeline/defs/analytics/`). Every number it
fits on comes from a dbt model (`dbt_project/models/marts/analytics/`); this package only
fits models, scores them in backtests and writes their outputs as `marts.*` tables.
docs/analytics.md describes the methods and the tables.
"""

from ka_pipeline.analytics.stage import ANALYTICS_TABLES, StageResult, run_stage
from ka_pipeline.analytics.warehouse import DuckDBWarehouse, SparkWarehouse

__all__ = ["ANALYTICS_TABLES", "DuckDBWarehouse", "SparkWarehouse", "StageResult", "run_stage"]
