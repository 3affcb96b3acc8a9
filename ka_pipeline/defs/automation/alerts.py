"""Run-failure sensor: every failed run becomes an alert line (and a webhook call)."""

import os

from dagster import DefaultSensorStatus, RunFailureSensorContext, run_failure_sensor
from dagster._core.storage.tags import (
    ASSET_PARTITION_RANGE_END_TAG,
    ASSET_PARTITION_RANGE_START_TAG,
    PARTITION_NAME_TAG,
)

from ka_pipeline.alerts import WEBHOOK_ENV_VAR, RunAlert, send_alert, summarise_error
from ka_pipeline.settings import Settings


def alert_from_context(context: RunFailureSensorContext) -> RunAlert:
    run = context.dagster_run
    tags = run.tags
    if PARTITION_NAME_TAG in tags:
        partition = tags[PARTITION_NAME_TAG]
    elif ASSET_PARTITION_RANGE_START_TAG in tags:
        partition = (
            f"{tags[ASSET_PARTITION_RANGE_START_TAG]}..{tags[ASSET_PARTITION_RANGE_END_TAG]}"
        )
    else:
        partition = "-"
    step_failures = context.get_step_failure_events()
    steps = tuple(e.step_key for e in step_failures if e.step_key)
    if step_failures and step_failures[0].step_failure_data.error:
        error = step_failures[0].step_failure_data.error.message
    else:
        error = context.failure_event.message or "run failed"
    return RunAlert(
        job=run.job_name,
        run_id=run.run_id,
        partition=partition,
        failed_steps=steps,
        error=summarise_error(error),
    )


@run_failure_sensor(
    name="run_failure_alerts",
    description="Writes one line per failed run to <data>/logs/alerts.log and POSTs it to "
    f"${WEBHOOK_ENV_VAR} when that variable is set.",
    default_status=DefaultSensorStatus.RUNNING,
    monitor_all_code_locations=False,
)
def run_failure_alerts(context: RunFailureSensorContext) -> None:
    settings = Settings.from_env()
    alert = alert_from_context(context)
    send_alert(alert, settings.data_dir / "logs" / "alerts.log", os.environ.get(WEBHOOK_ENV_VAR))
    context.log.info(f"alert sent for run {alert.run_id}")
