"""Monday 07:00 (business timezone): the report of the week that ended on Sunday.

The run is requested only when the warehouse has the week's last day: the instance must
hold either

1. a successful run of job `full_build` that covered that Sunday: tagged with
   `ka/business_day` = the Sunday (the nightly schedule), or with a partition / partition
   range containing it (daily keys, or month keys for monthly extraction partitions) and
   started after the Sunday ended; or
2. a materialization of `raw/erp/orders` for the Sunday's partition (its day, or its month)
   stored after the Sunday ended.

Otherwise the schedule skips with a reason that names the week and what is missing.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from dagster import (
    AssetKey,
    AssetRecordsFilter,
    DagsterInstance,
    DagsterRunStatus,
    DefaultScheduleStatus,
    RunRequest,
    RunsFilter,
    ScheduleEvaluationContext,
    SkipReason,
    schedule,
)
from dagster._core.storage.tags import (
    ASSET_PARTITION_RANGE_END_TAG,
    ASSET_PARTITION_RANGE_START_TAG,
    PARTITION_NAME_TAG,
)

from ka_pipeline.defs.reports.jobs import weekly_report_job
from ka_pipeline.report.weeks import ReportWeek
from ka_pipeline.settings import Settings

_settings = Settings.from_env()
WEEKLY_REPORT_CRON = "0 7 * * 1"
NIGHTLY_JOB = "full_build"
BUSINESS_DAY_TAG = "ka/business_day"
ORDERS_ASSET = AssetKey(["raw", "erp", "orders"])
RUNS_LOOKED_AT = 100


def week_just_ended(scheduled_for: datetime) -> ReportWeek:
    """The ISO week that ended before `scheduled_for` (a Monday morning -> last week)."""
    return ReportWeek.containing(scheduled_for.date()).previous


def _partition_keys(day: date) -> set[str]:
    """The keys a daily or a monthly partition of `day` would have."""
    return {day.isoformat(), day.replace(day=1).isoformat()}


def _covers(tags: dict[str, str], day: date) -> bool:
    """Whether a run's partition (or partition range) covers `day` (daily or monthly keys)."""
    if tags.get(PARTITION_NAME_TAG) in _partition_keys(day):
        return True
    start, end = tags.get(ASSET_PARTITION_RANGE_START_TAG), tags.get(ASSET_PARTITION_RANGE_END_TAG)
    if not start or not end:
        return False
    monthly = start.endswith("-01") and end.endswith("-01")
    key = day.replace(day=1).isoformat() if monthly else day.isoformat()
    return start <= key <= end


def nightly_evidence(instance: DagsterInstance, day: date, timezone: str) -> str | None:
    """What shows that the nightly build for `day` succeeded, or None."""
    day_ended = datetime.combine(day + timedelta(days=1), time(), ZoneInfo(timezone))
    tagged = instance.get_runs(
        RunsFilter(
            job_name=NIGHTLY_JOB,
            statuses=[DagsterRunStatus.SUCCESS],
            tags={BUSINESS_DAY_TAG: day.isoformat()},
        ),
        limit=1,
    )
    if tagged:
        return f"run {tagged[0].run_id} of {NIGHTLY_JOB} for business day {day}"
    for record in instance.get_run_records(
        RunsFilter(
            job_name=NIGHTLY_JOB, statuses=[DagsterRunStatus.SUCCESS], created_after=day_ended
        ),
        limit=RUNS_LOOKED_AT,
    ):
        if _covers(record.dagster_run.tags, day):
            return f"run {record.dagster_run.run_id} of {NIGHTLY_JOB} covering {day}"
    materialized = instance.fetch_materializations(
        AssetRecordsFilter(
            asset_key=ORDERS_ASSET,
            asset_partitions=sorted(_partition_keys(day)),
            after_timestamp=day_ended.timestamp(),
        ),
        limit=1,
    ).records
    if materialized:
        record = materialized[0]
        return (
            f"{ORDERS_ASSET.to_user_string()} partition {record.partition_key} materialized in "
            f"run {record.run_id}"
        )
    return None


@schedule(
    name="weekly_report_schedule",
    cron_schedule=WEEKLY_REPORT_CRON,
    execution_timezone=_settings.timezone,
    job=weekly_report_job,
    default_status=DefaultScheduleStatus.STOPPED,
    description="Monday 07:00: the weekly report of the week just ended, once the nightly "
    "build of its Sunday has succeeded.",
)
def weekly_report_schedule(context: ScheduleEvaluationContext) -> RunRequest | SkipReason:
    week = week_just_ended(context.scheduled_execution_time)
    evidence = nightly_evidence(context.instance, week.sunday, _settings.timezone)
    if evidence is None:
        return SkipReason(
            f"Weekly report {week.label} not requested: no successful {NIGHTLY_JOB} run for "
            f"{week.sunday} (the week's last day) and no {ORDERS_ASSET.to_user_string()} "
            f"materialization of it since it ended. Run the nightly build for {week.sunday}; "
            "the next evaluation (or a manual run of the partition) will produce the report."
        )
    context.log.info(f"Weekly report {week.label}: {evidence}")
    return RunRequest(
        run_key=f"weekly-report-{week.label}",
        partition_key=week.partition_key,
        tags={"ka/trigger": "weekly_schedule", "ka/report_week": week.label},
    )
