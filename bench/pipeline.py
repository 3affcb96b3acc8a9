"""The pipeline as a user runs it: `ka-pipeline run` (one Dagster run of job full_build).

Each measurement is a fresh process, timed from the outside, with the peak RSS of its
process tree; afterwards the run's step durations are read from the workspace's Dagster
instance and the dbt node timings from that run's run_results.json, to say where the time
went without instrumenting the pipeline.
"""

from __future__ import annotations

import json
import statistics
import sys
from dataclasses import asdict, dataclass, field
from datetime import date

from bench.proctree import Measured, run_measured
from bench.workspace import BenchWorkspace


class BenchStepFailed(RuntimeError):
    """A measured command failed: the benchmark of a broken build is meaningless."""


@dataclass
class RunMeasurement:
    seconds: float
    peak_rss_bytes: int
    dagster_run_seconds: float | None = None
    steps: dict[str, float] = field(default_factory=dict)
    dbt_nodes_seconds: dict[str, float] = field(default_factory=dict)
    dbt_slowest: list[tuple[str, float]] = field(default_factory=list)
    analytics_stage_seconds: float | None = None

    def as_dict(self) -> dict:
        return asdict(self)


def _check(measured: Measured, what: str) -> Measured:
    if measured.returncode != 0:
        raise BenchStepFailed(
            f"{what} exited {measured.returncode}\n--- stdout (tail)\n"
            f"{measured.stdout[-3000:]}\n--- stderr (tail)\n{measured.stderr[-3000:]}"
        )
    return measured


def run_cli(workspace: BenchWorkspace, *args: str) -> RunMeasurement:
    """`ka-pipeline run <args> --no-report` in the workspace, timed and profiled."""
    cmd = [sys.executable, "-m", "ka_pipeline.cli", "run", "--no-report", *args]
    measured = _check(
        run_measured(cmd, env=workspace.env, cwd=workspace.root),
        f"ka-pipeline run {' '.join(args)}",
    )
    result = RunMeasurement(measured.seconds, measured.peak_rss_bytes)
    _add_run_profile(workspace, result)
    return result


def full_build(workspace: BenchWorkspace) -> RunMeasurement:
    """Extract every delivered day, dbt build, checks, publish: the whole warehouse."""
    return run_cli(workspace)


def nightly_run(workspace: BenchWorkspace, day: date) -> RunMeasurement:
    """Deliver `day`'s files, then the nightly run for it (its month partition)."""
    workspace.deliver_day(day)
    return run_cli(workspace, "--start", day.isoformat(), "--end", day.isoformat())


def _add_run_profile(workspace: BenchWorkspace, result: RunMeasurement) -> None:
    """Step durations of the latest Dagster run and its dbt node timings."""
    from dagster import DagsterInstance

    with DagsterInstance.from_config(str(workspace.dagster_home)) as instance:
        records = instance.get_run_records(limit=1)
        if not records:
            return
        run = records[0].dagster_run
        stats = instance.get_run_stats(run.run_id)
        if stats.start_time and stats.end_time:
            result.dagster_run_seconds = stats.end_time - stats.start_time
        for step in instance.get_run_step_stats(run.run_id):
            if step.start_time and step.end_time:
                result.steps[step.step_key] = round(step.end_time - step.start_time, 2)
        result.analytics_stage_seconds = _analytics_stage_seconds(instance, run.run_id)
    run_results = sorted(
        workspace.settings.dbt_runs_dir.glob(f"{run.run_id[:8]}-*/run_results.json")
    )
    if run_results:
        _add_dbt_timings(json.loads(run_results[-1].read_text()), result)


def _analytics_stage_seconds(instance, run_id: str) -> float | None:
    """The analytics stage's own seconds (fit and write), from its materialization's
    `stage_seconds` metadata in this run; None when the run did not materialize it."""
    from dagster import AssetKey

    event = instance.get_latest_materialization_event(AssetKey(["marts", "mart_model_backtests"]))
    if event is None or event.run_id != run_id:
        return None
    value = event.asset_materialization.metadata.get("stage_seconds")
    return None if value is None else float(value.value)


def _add_dbt_timings(run_results: dict, result: RunMeasurement) -> None:
    by_type: dict[str, float] = {}
    nodes = []
    for node in run_results.get("results", []):
        kind = node["unique_id"].split(".", 1)[0]
        by_type[kind] = by_type.get(kind, 0.0) + node["execution_time"]
        nodes.append((node["unique_id"], round(node["execution_time"], 2)))
    result.dbt_nodes_seconds = {k: round(v, 1) for k, v in by_type.items()}
    result.dbt_nodes_seconds["elapsed"] = round(run_results.get("elapsed_time", 0.0), 1)
    result.dbt_slowest = sorted(nodes, key=lambda n: -n[1])[:8]


_DEFINITIONS_PROBE = """
import time
started = time.perf_counter()
import ka_pipeline.definitions as d
assert d.defs is not None
print(time.perf_counter() - started)
"""


def definitions_load(workspace: BenchWorkspace, repeat: int = 3) -> dict:
    """Seconds to `import ka_pipeline.definitions` in a fresh interpreter (median of runs).

    The manifest is the prepared one (dbt_project/target/manifest.json); `import_s` is the
    import alone, `process_s` the whole interpreter start to exit.
    """
    imports, processes = [], []
    for _ in range(repeat):
        measured = _check(
            run_measured(
                [sys.executable, "-c", _DEFINITIONS_PROBE], env=workspace.env, cwd=workspace.root
            ),
            "import ka_pipeline.definitions",
        )
        imports.append(float(measured.stdout.strip().splitlines()[-1]))
        processes.append(measured.seconds)
    return {
        "import_s": statistics.median(imports),
        "process_s": statistics.median(processes),
        "import_all_s": imports,
    }
