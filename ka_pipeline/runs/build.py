"""Running the pipeline from the command line: the whole warehouse for a range of days.

Runs go through the persistent Dagster instance ($DAGSTER_HOME) so that `dagster dev`
shows their materializations, checks and logs afterwards.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date

import duckdb
from dagster import DagsterInstance

from ka_pipeline.defs.partitions import month_key
from ka_pipeline.defs.tags import PARTITION_RANGE_END_TAG, PARTITION_RANGE_START_TAG
from ka_pipeline.runs.instance import fail_runs_of_dead_processes, process_tags
from ka_pipeline.runs.instance_sqlite import fast_sqlite_commits
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


def run_full_build(
    settings: Settings, start: date, end: date, run_config: dict | None = None
) -> RunSummary:
    """Materialize every asset in one run; the extraction for the months of [start, end].

    dbt replaces those months' days in the incremental facts (the window comes from the
    partition range tags) unless `run_config` asks for a full refresh.
    """
    # imported late: building the definitions reads the dbt manifest
    from ka_pipeline.defs.definitions import build_definitions

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
                PARTITION_RANGE_START_TAG: month_key(start),
                PARTITION_RANGE_END_TAG: month_key(end),
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
