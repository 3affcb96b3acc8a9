"""Running the pipeline from the command line: the whole warehouse for a range of days.

Runs go through the persistent Dagster instance ($DAGSTER_HOME) so that `dagster dev`
shows their materializations, checks and logs afterwards.
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from datetime import date

import duckdb
from dagster import DagsterInstance, DagsterRunStatus, RunsFilter
from dagster._core.storage.tags import (
    ASSET_PARTITION_RANGE_END_TAG,
    ASSET_PARTITION_RANGE_START_TAG,
)

from ka_pipeline.defs.partitions import month_key
from ka_pipeline.instance_sqlite import fast_sqlite_commits
from ka_pipeline.settings import Settings


@dataclass(frozen=True)
class RunSummary:
    run_id: str
    success: bool
    start: date
    end: date


def full_refresh_config() -> dict:
    """Run config that rebuilds the incremental facts from scratch (no window)."""
    return {"ops": {"dbt_warehouse": {"config": {"full_refresh": True}}}}


# A CLI run records its process; a later CLI run fails it if that process is gone.
PID_TAG, HOST_TAG = "ka/pid", "ka/host"
_UNFINISHED = [DagsterRunStatus.STARTED, DagsterRunStatus.STARTING, DagsterRunStatus.QUEUED]


def process_tags() -> dict[str, str]:
    return {PID_TAG: str(os.getpid()), HOST_TAG: socket.gethostname()}


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


def fail_runs_of_dead_processes(instance: DagsterInstance) -> list[str]:
    """Mark CLI runs whose process died (killed, machine crash) as failed; free their pools.

    A run killed mid-step never reports its end, so Dagster keeps its `duckdb_warehouse`
    pool slot claimed, and the next run would wait for that slot forever. Runs launched by
    `dagster dev` / the daemon are watched by Dagster's run monitoring (dagster.yaml).
    """
    failed = []
    host = socket.gethostname()
    for run in instance.get_runs(RunsFilter(statuses=_UNFINISHED, tags={HOST_TAG: host})):
        pid = run.tags.get(PID_TAG, "")
        if not pid.isdigit() or _process_alive(int(pid)):
            continue
        instance.report_run_failed(
            run, f"The process of this run (pid {pid} on {host}) ended without finishing it."
        )
        instance.event_log_storage.free_concurrency_slots_for_run(run.run_id)
        failed.append(run.run_id)
    return failed


def run_full_build(
    settings: Settings, start: date, end: date, run_config: dict | None = None
) -> RunSummary:
    """Materialize every asset in one run; the extraction for the months of [start, end].

    dbt replaces those months' days in the incremental facts (the window comes from the
    partition range tags) unless `run_config` asks for a full refresh.
    """
    # imported late: building the definitions reads the dbt manifest
    from ka_pipeline.definitions import build_definitions

    # One "planned" event per asset for a partition range instead of one per partition:
    # SQLite event storage otherwise writes days x assets events before the run starts.
    os.environ.setdefault("DAGSTER_EMIT_PARTITION_SUBSET_IN_PLANNED_EVENTS", "true")
    job = build_definitions(settings).resolve_job_def("full_build")
    fast_sqlite_commits()
    with DagsterInstance.get() as instance:
        for run_id in fail_runs_of_dead_processes(instance):
            print(f"Marked run {run_id} failed: its process died before it finished")
        result = job.execute_in_process(
            instance=instance,
            # INFO, not the default DEBUG: one line per step and asset, not per event
            run_config={
                "loggers": {"console": {"config": {"log_level": "INFO"}}},
                **(run_config or {}),
            },
            tags={
                ASSET_PARTITION_RANGE_START_TAG: month_key(start),
                ASSET_PARTITION_RANGE_END_TAG: month_key(end),
                **process_tags(),
            },
            raise_on_error=False,
        )
    return RunSummary(result.run_id, result.success, start, end)


def warehouse_row_counts(settings: Settings) -> dict[str, int]:
    """Rows per table in the warehouse, as `schema.table` -> count (read-only)."""
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as conn:
        tables = conn.execute(
            "select table_schema, table_name from information_schema.tables "
            "where table_type = 'BASE TABLE' order by 1, 2"
        ).fetchall()
        return {
            f"{schema}.{table}": conn.execute(
                f'select count(*) from "{schema}"."{table}"'
            ).fetchone()[0]
            for schema, table in tables
        }
