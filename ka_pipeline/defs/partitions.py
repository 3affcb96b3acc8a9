"""Daily business-day partitions shared by the extraction assets."""

from dagster import DailyPartitionsDefinition

from ka_pipeline.settings import Settings

_settings = Settings.from_env()

daily_partitions = DailyPartitionsDefinition(
    start_date=_settings.partitions_start,
    timezone=_settings.timezone,
)
