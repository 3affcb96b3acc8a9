"""Nightly schedule: extract yesterday's deliveries and rebuild the warehouse.

The run reloads the month-to-date files of yesterday's month (its partition) and dbt
replaces that month's days in the incremental facts (`ka_pipeline/defs/dbt/window.py`,
capped at the `ka/business_day` tag); the account-grain marts are rebuilt in full.
"""

from datetime import date, datetime, timedelta

from dagster import (
    DefaultScheduleStatus,
    RunRequest,
    ScheduleDefinition,
    ScheduleEvaluationContext,
    schedule,
)

from ka_pipeline.defs.partitions import month_key
from ka_pipeline.defs.tags import BUSINESS_DAY_TAG

NIGHTLY_CRON = "0 2 * * *"


def nightly_day(scheduled_for: datetime) -> date:
    """The business day a nightly run at `scheduled_for` (business timezone) processes."""
    return scheduled_for.date() - timedelta(days=1)


def nightly_run_request(scheduled_for: datetime) -> RunRequest:
    day = nightly_day(scheduled_for)
    return RunRequest(
        run_key=f"nightly-{day.isoformat()}",
        partition_key=month_key(day),  # reloads month-to-date, ending with `day`
        tags={"ka/trigger": "nightly", BUSINESS_DAY_TAG: day.isoformat()},
    )


def build_nightly_schedule(timezone: str) -> ScheduleDefinition:
    @schedule(
        name="nightly_build",
        cron_schedule=NIGHTLY_CRON,
        execution_timezone=timezone,
        job_name="full_build",
        default_status=DefaultScheduleStatus.STOPPED,
        description="02:00 every night: extract the previous business day's month, then dbt "
        "build (the month's days incrementally in the daily facts, the marts in full).",
    )
    def nightly_build(context: ScheduleEvaluationContext) -> RunRequest:
        return nightly_run_request(context.scheduled_execution_time)

    return nightly_build


FULL_CHECK_CRON = "0 4 * * 0"


def build_full_check_schedule(timezone: str) -> ScheduleDefinition:
    """Sundays 04:00, after that night's nightly run: the `full_check` job, every dbt test
    on whole tables (the nightly runs check their window's rows only)."""
    return ScheduleDefinition(
        name="weekly_full_check",
        cron_schedule=FULL_CHECK_CRON,
        execution_timezone=timezone,
        job_name="full_check",
        default_status=DefaultScheduleStatus.STOPPED,
        description="Sundays 04:00: dbt build without a window, every dbt test on whole tables.",
    )
