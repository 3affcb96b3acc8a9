"""Dagster definitions of the weekly report (`reports` group), the Dagster side of
`ka_pipeline/report/`. `build_definitions` registers the asset and its job.

The `full_build` job must not select the weekly-partitioned report asset (a job's assets
share one partitions definition): `AssetSelection.all() - AssetSelection.groups("reports")`.
"""

from ka_pipeline.defs.report.assets import (
    REPORT_GROUP,
    WEEKLY_REPORT_KEY,
    build_weekly_report_asset,
)
from ka_pipeline.defs.report.jobs import build_weekly_report_job

__all__ = [
    "REPORT_GROUP",
    "WEEKLY_REPORT_KEY",
    "build_weekly_report_asset",
    "build_weekly_report_job",
]
