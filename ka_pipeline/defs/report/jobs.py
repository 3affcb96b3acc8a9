"""The weekly report job: the report and its delivery, one run per ISO week partition."""

from dagster import AssetSelection, WeeklyPartitionsDefinition, define_asset_job

from ka_pipeline.defs.report.assets import REPORT_GROUP


def build_weekly_report_job(weeks: WeeklyPartitionsDefinition):
    return define_asset_job(
        name="weekly_report",
        selection=AssetSelection.groups(REPORT_GROUP),
        partitions_def=weeks,
        description="Render the weekly key-account report of one ISO week from the marts, send it.",
    )
