"""Weekly partitions of the report: ISO weeks, Monday to Sunday, in the business timezone.

A partition key is the week's Monday (`2024-12-23`); the report folder is named by the ISO
label of the same week (`2024-W52`, see `ka_pipeline.report.weeks`).
"""

from dagster import WeeklyPartitionsDefinition

from ka_pipeline.settings import Settings

_settings = Settings.from_env()

weekly_partitions = WeeklyPartitionsDefinition(
    start_date=_settings.partitions_start,
    timezone=_settings.timezone,
    day_offset=1,  # weeks start on Monday
)
