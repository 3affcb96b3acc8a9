"""Run-failure sensor: every failed run becomes an alert line (and a webhook call)."""

import os
from pathlib import Path

from dagster import DefaultSensorStatus, RunFailureSensorContext, run_failure_sensor

from ka_pipeline.alerts import WEBHOOK_ENV_VAR, RunAlert, send_alert, summarise_error
from ka_pipeline.defs.resources import AlertLog
from ka_pipeline.defs.tags import partition_label


def alert_from_context(context: RunFailureSensorContext) -> RunAlert:
    run = context.dagster_run
    step_failures = context.get_step_failure_events()
    steps = tuple(e.step_key for e in step_failures if e.step_key)
    if step_failures and step_failures[0].step_failure_data.error:
        error = step_failures[0].step_failure_data.error.message
    else:
        error = context.failure_event.message or "run failed"
    return RunAlert(
        job=run.job_name,
        run_id=run.run_id,
        partition=partition_label(run.tags),
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
def run_failure_alerts(context: RunFailureSensorContext, alert_log: AlertLog) -> None:
    alert = alert_from_context(context)
    # the webhook URL is a secret: read from the environment when used, never stored
    send_alert(alert, Path(alert_log.path), os.environ.get(WEBHOOK_ENV_VAR))
    context.log.info(f"alert sent for run {alert.run_id}")
