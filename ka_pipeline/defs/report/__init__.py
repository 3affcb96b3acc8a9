"""Dagster definitions of the weekly report (`reports` group).

Register in the code location (`ka_pipeline/definitions.py`):

    assets=[..., *report_assets], jobs=[..., weekly_report_job],
    schedules=[..., weekly_report_schedule],
    resources={**build_resources(settings), **report_resources(settings)}

The `full_build` job must not select the weekly-partitioned report asset (a job's assets
share one partitions definition): `AssetSelection.all() - AssetSelection.groups("reports")`.
"""

from ka_pipeline.defs.reports.assets import REPORT_GROUP, WEEKLY_REPORT_KEY, report_assets
from ka_pipeline.defs.reports.jobs import weekly_report_job
from ka_pipeline.defs.reports.partitions import weekly_partitions
from ka_pipeline.defs.reports.resources import ReportOutput, report_resources
from ka_pipeline.defs.reports.schedules import weekly_report_schedule

__all__ = [
    "REPORT_GROUP",
    "WEEKLY_REPORT_KEY",
    "ReportOutput",
    "report_assets",
    "report_resources",
    "weekly_partitions",
    "weekly_report_job",
    "weekly_report_schedule",
]
