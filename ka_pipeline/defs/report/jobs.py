"""The weekly report job: the report asset alone, one run per ISO week partition."""

from dagster import AssetSelection, WeeklyPartitionsDefinition, define_asset_job

from ka_pipeline.defs.report.assets import WEEKLY_REPORT_KEY


def build_weekly_report_job(weeks: WeeklyPartitionsDefinition):
    return define_asset_job(
        name="weekly_report",
        selection=AssetSelection.assets(WEEKLY_REPORT_KEY),
        partitions_def=weeks,
        description="Render the weekly key-account report of one ISO week from the marts.",
    )
