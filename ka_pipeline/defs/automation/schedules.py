"""Nightly schedule: extract yesterday's deliveries and rebuild the warehouse."""

from datetime import date, datetime, timedelta

from dagster import (
    DefaultScheduleStatus,
    RunRequest,
    ScheduleEvaluationContext,
    schedule,
)

from ka_pipeline.defs.jobs import full_build_job
from ka_pipeline.defs.partitions import month_key
from ka_pipeline.settings import Settings

_settings = Settings.from_env()
NIGHTLY_CRON = "0 2 * * *"


def nightly_day(scheduled_for: datetime) -> date:
    """The business day a nightly run at `scheduled_for` (business timezone) processes."""
    return scheduled_for.date() - timedelta(days=1)


@schedule(
    name="nightly_build",
    cron_schedule=NIGHTLY_CRON,
    execution_timezone=_settings.timezone,
    job=full_build_job,
    default_status=DefaultScheduleStatus.STOPPED,
    description="02:00 every night: extract the previous business day, then dbt build.",
)
def nightly_build(context: ScheduleEvaluationContext) -> RunRequest:
    day = nightly_day(context.scheduled_execution_time)
    return RunRequest(
        run_key=f"nightly-{day.isoformat()}",
        partition_key=month_key(day),  # reloads month-to-date, ending with `day`
        tags={"ka/trigger": "nightly", "ka/business_day": day.isoformat()},
    )
