"""Partitions: calendar months of daily files (extraction), ISO weeks (the report).

Both are built from the settings inside `build_definitions`.

Sources deliver one file per business day, but the extraction assets are partitioned by
month: a month partition (re)loads every daily file of that month delivered so far, in
one DuckDB scan, replacing those days. Measured on this project's 2-core reference
machine, Dagster's SQLite event storage spends 50-200 ms of bookkeeping per partition
materialization, so a 3-year history as daily partitions (13 daily entities x 1,100 days)
would cost 10+ minutes before any data moved; as months it is 37 partitions per entity.
Reloading a month is cheap (daily files are small) and idempotent, so a nightly run
reloading month-to-date, or a re-sent file reloading its month, loses nothing.
"""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from dagster import MonthlyPartitionsDefinition, WeeklyPartitionsDefinition

from ka_pipeline.settings import Settings


def monthly_partitions(settings: Settings) -> MonthlyPartitionsDefinition:
    """Months of daily files, from KA_PARTITIONS_START, in the business timezone."""
    return MonthlyPartitionsDefinition(
        start_date=settings.partitions_start,
        timezone=settings.timezone,
        end_offset=1,  # the current, still incomplete month is a partition too
    )


def weekly_partitions(settings: Settings) -> WeeklyPartitionsDefinition:
    """ISO weeks of the report, Monday to Sunday, in the business timezone.

    A key is the week's Monday (`2024-12-23`); the report folder is named by the ISO label
    of the same week (`2024-W52`, see `ka_pipeline.report.weeks`)."""
    return WeeklyPartitionsDefinition(
        start_date=settings.partitions_start,
        timezone=settings.timezone,
        day_offset=1,  # weeks start on Monday
    )


def month_key(day: date) -> str:
    """The partition key of the month `day` falls in, e.g. 2024-03-17 -> `2024-03-01`."""
    return day.replace(day=1).isoformat()


def last_complete_day(timezone: str, now: datetime | None = None) -> date:
    """Yesterday in the business timezone: the newest day whose files are due."""
    now = now or datetime.now(ZoneInfo(timezone))
    return now.astimezone(ZoneInfo(timezone)).date() - timedelta(days=1)


def days_of_months(month_keys: list[str], until: date) -> list[date]:
    """Every day of the given months, up to and including `until`."""
    days: list[date] = []
    for key in sorted(month_keys):
        day = date.fromisoformat(key)
        while day.month == date.fromisoformat(key).month and day <= until:
            days.append(day)
            day += timedelta(days=1)
    return days
