"""Running the pipeline from the command line: the whole warehouse for a range of days.

Runs go through the persistent Dagster instance (`Settings.dagster_home`) so that the
Dagster UI shows their materializations, checks and logs afterwards.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from dagster import DagsterInstance, Definitions

from ka_pipeline.defs.partitions import month_key
from ka_pipeline.defs.tags import PARTITION_RANGE_END_TAG, PARTITION_RANGE_START_TAG
from ka_pipeline.runs.instance import fail_runs_of_dead_processes, process_tags
from ka_pipeline.runs.instance_sqlite import fast_sqlite_commits
from ka_pipeline.runs.outcome import RunOutcome, outcome_of
from ka_pipeline.runs.progress import CLI_LOGGERS, loggers_config, quiet_unless
from ka_pipeline.settings import Settings


@dataclass(frozen=True)
class BuildRequest:
    """What `ka-pipeline run` / `backfill` asks for."""

    start: date
    end: date
    full_refresh: bool = False
    dbt_vars: dict[str, Any] = field(default_factory=dict)
    verbose: bool = False
    rotate_pii_salt: bool = False

    def run_config(self) -> dict:
        dbt_config: dict[str, Any] = {}
        if self.full_refresh:
            dbt_config["full_refresh"] = True
        if self.dbt_vars:
            dbt_config["dbt_vars"] = self.dbt_vars
        if self.rotate_pii_salt:
            dbt_config["rotate_pii_salt"] = True
        ops = {"ops": {"dbt_warehouse": {"config": dbt_config}}} if dbt_config else {}
        return {**loggers_config(self.verbose), **ops}


def cli_definitions(settings: Settings) -> Definitions:
    """The code location bound to `settings`, with the CLI's progress logger."""
    from ka_pipeline.defs.definitions import build_definitions  # reads the dbt manifest

    return Definitions.merge(build_definitions(settings), Definitions(loggers=CLI_LOGGERS))


def run_full_build(settings: Settings, request: BuildRequest) -> RunOutcome:
    """Materialize every asset in one run; the extraction for the months of the request.

    dbt replaces those months' days in the incremental facts (the window comes from the
    partition range tags) unless the request asks for a full refresh.
    """
    # One "planned" event per asset for a partition range instead of one per partition:
    # SQLite event storage otherwise writes days x assets events before the run starts.
    os.environ.setdefault("DAGSTER_EMIT_PARTITION_SUBSET_IN_PLANNED_EVENTS", "true")
    job = cli_definitions(settings).resolve_job_def("full_build")
    fast_sqlite_commits()
    with DagsterInstance.get() as instance:
        for run_id in fail_runs_of_dead_processes(instance):
            print(f"Marked run {run_id} failed: its process died before it finished")
        with quiet_unless(request.verbose):
            result = job.execute_in_process(
                instance=instance,
                run_config=request.run_config(),
                tags={
                    PARTITION_RANGE_START_TAG: month_key(request.start),
                    PARTITION_RANGE_END_TAG: month_key(request.end),
                    "ka/trigger": "cli",
                    **process_tags(),
                },
                raise_on_error=False,
            )
    return outcome_of(result)
