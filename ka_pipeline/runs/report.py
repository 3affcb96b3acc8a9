"""Running the weekly report from the command line (`make run`, after the full build).

`latest_report_week` picks the newest ISO week whose Sunday is on or before the marts'
as-of date; `run_weekly_report` materializes that partition of `reports/weekly_report`
through the persistent Dagster instance, so the UI shows the run and its metadata.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb
from dagster import DagsterInstance, Definitions

from ka_pipeline.report.weeks import ReportWeek
from ka_pipeline.runs.instance import fail_runs_of_dead_processes, process_tags
from ka_pipeline.runs.instance_sqlite import fast_sqlite_commits
from ka_pipeline.runs.outcome import RunOutcome, outcome_of
from ka_pipeline.runs.progress import loggers_config, quiet_unless
from ka_pipeline.settings import Settings

JOB_NAME = "weekly_report"


def marts_as_of_date(settings: Settings):
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as conn:
        row = conn.execute("select max(as_of_date) from marts.mart_run_parameters").fetchone()
    if row is None or row[0] is None:
        raise RuntimeError(f"no marts in {settings.warehouse_path}: build the warehouse first")
    return row[0]


def latest_report_week(settings: Settings) -> ReportWeek:
    """The newest complete week the marts can report on."""
    return ReportWeek.latest_complete(marts_as_of_date(settings))


@dataclass(frozen=True)
class ReportRunSummary:
    run_id: str
    success: bool
    week: ReportWeek
    folder: Path
    seconds: float | None
    outcome: RunOutcome
    delivery: str = ""  # what the delivery step sent, and which channels failed


def run_weekly_report(
    settings: Settings,
    week: ReportWeek | None = None,
    languages: list[str] | None = None,
    definitions: Definitions | None = None,
    instance: DagsterInstance | None = None,
    verbose: bool = False,
) -> ReportRunSummary:
    """Materialize the weekly report of `week` (default: the latest complete week)."""
    if definitions is None:
        from ka_pipeline.runs.build import cli_definitions  # reads the dbt manifest

        definitions = cli_definitions(settings)
    week = week or latest_report_week(settings)
    job = definitions.resolve_job_def(JOB_NAME)
    run_config: dict = loggers_config(verbose) if definitions.loggers else {}
    if languages:
        run_config["ops"] = {"reports__weekly_report": {"config": {"languages": languages}}}
    owned = instance is None
    fast_sqlite_commits()
    instance = instance or DagsterInstance.get()
    try:
        fail_runs_of_dead_processes(instance)
        with quiet_unless(verbose):
            result = job.execute_in_process(
                instance=instance,
                partition_key=week.partition_key,
                run_config=run_config,
                tags={"ka/trigger": "cli", **process_tags()},
                raise_on_error=False,
            )
        seconds, delivery = None, ""
        if result.success:
            materialization = result.asset_materializations_for_node("reports__weekly_report")[0]
            seconds = materialization.metadata["render_seconds"].value
            delivery = _delivery_line(result)
    finally:
        if owned:
            instance.dispose()
    folder = settings.output_dir / "reports" / week.label
    return ReportRunSummary(
        result.run_id, result.success, week, folder, seconds, outcome_of(result), delivery
    )


def _delivery_line(result) -> str:
    [event] = result.asset_materializations_for_node("reports__weekly_report_delivery")
    metadata = event.metadata
    failed = metadata["failed_channels"].value if "failed_channels" in metadata else "none"
    line = f"sent to {metadata['sent_to'].value}"
    return line if failed == "none" else f"{line}; FAILED: {failed} (see the alerts log)"
