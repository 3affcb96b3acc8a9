"""The Dagster instance of CLI runs: which process a run belongs to, and runs whose
process died."""

from __future__ import annotations

import os
import socket

from dagster import DagsterInstance, DagsterRunStatus, RunsFilter

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
