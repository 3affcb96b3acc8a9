"""The weekly report job: the report asset alone, one run per ISO week partition."""

from dagster import AssetSelection, define_asset_job

from ka_pipeline.defs.reports.assets import WEEKLY_REPORT_KEY
from ka_pipeline.defs.reports.partitions import weekly_partitions

weekly_report_job = define_asset_job(
    name="weekly_report",
    selection=AssetSelection.assets(WEEKLY_REPORT_KEY),
    partitions_def=weekly_partitions,
    description="Render the weekly key-account report of one ISO week from the marts.",
)
