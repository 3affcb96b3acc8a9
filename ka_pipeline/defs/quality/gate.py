"""The quality gate of the weekly report and the BI publish step.

Two layers, so a report or release is never built from data a blocking check rejected:

1. **Same run**: every ERROR check of this project is `blocking=True` (the GX suites here,
   and dbt tests of error severity through dagster-dbt), so Dagster skips every asset
   downstream of a failed one in the run that found it. The run fails on the check step,
   whose error names the asset and the check. (A failing dbt test also fails the dbt step.)
2. **Across runs** (a scheduled report that does not rebuild the marts, a re-run, a publish
   launched by hand): the report / publish asset calls `assert_upstream_checks_passed`
   first thing, before it writes anything. From the Dagster instance it reads, for every
   upstream asset (the whole ancestry by default, raw sources included):
   - the latest completed evaluation of each blocking check: one that failed with ERROR
     severity, or never ran, closes the gate;
   - the step that produced the asset's latest materialization: if that step failed (dbt
     built the mart, then a dbt test that is not an asset check, e.g. a test on several
     models, failed the build), the gate closes too.
   It raises a `Failure` naming each reason. The previous report / release on disk is
   untouched because the asset stops before writing.

WARN failures never stop anything. Use it as:

    @asset(deps=[AssetKey(["marts", "mart_kpi_monthly"])])
    def weekly_report(context):
        assert_upstream_checks_passed(context)   # before touching the output folder
        ...
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from dagster import (
    AssetCheckKey,
    AssetCheckSeverity,
    AssetExecutionContext,
    AssetKey,
    DagsterInstance,
    Failure,
    MetadataValue,
)

# Dagster's record and step statuses are enums it does not export; their values are stable
_SUCCEEDED, _FAILED = "SUCCEEDED", "FAILED"
_STEP_FAILURE = "FAILURE"


def _when(timestamp: float | None) -> str:
    if not timestamp:
        return "?"
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d %H:%M UTC")


@dataclass(frozen=True)
class CheckStatus:
    """The latest completed evaluation of one blocking check."""

    key: AssetCheckKey
    state: str  # passed | warned | failed | not_evaluated
    run_id: str | None = None
    timestamp: float | None = None
    description: str | None = None

    @property
    def blocks(self) -> bool:
        return self.state in ("failed", "not_evaluated")

    @property
    def name(self) -> str:
        return f"{self.key.asset_key.to_user_string()} › {self.key.name}"

    def describe(self) -> str:
        if self.state == "not_evaluated":
            return f"{self.name}: has never been evaluated"
        detail = f": {self.description}" if self.description else ""
        when = _when(self.timestamp)
        return f"{self.name}: {self.state.upper()} in run {self.run_id} at {when}{detail}"


@dataclass(frozen=True)
class FailedBuild:
    """An upstream asset whose latest materialization came from a step that then failed."""

    asset_key: AssetKey
    run_id: str
    step_key: str
    timestamp: float | None = None
    state: str = "built_by_failed_step"
    description: str | None = None

    @property
    def name(self) -> str:
        return self.asset_key.to_user_string()

    def describe(self) -> str:
        return (
            f"{self.name}: last built at {_when(self.timestamp)} by step {self.step_key} of run "
            f"{self.run_id}, which failed (a test or check in that step did not pass)"
        )


def upstream_blocking_checks(
    asset_graph, asset_keys: Iterable[AssetKey], include_ancestors: bool = True
) -> list[AssetCheckKey]:
    """Blocking checks on `asset_keys` (and, by default, on all their ancestors)."""
    keys = upstream_assets(asset_graph, asset_keys, include_ancestors)
    return sorted(
        (
            k
            for k in asset_graph.get_check_keys_for_assets(keys)
            if asset_graph.get_check_spec(k).blocking
        ),
        key=lambda k: (k.asset_key.to_user_string(), k.name),
    )


def upstream_assets(
    asset_graph, asset_keys: Iterable[AssetKey], include_ancestors: bool = True
) -> set[AssetKey]:
    keys = set(asset_keys)
    if include_ancestors:
        for key in list(keys):
            keys |= asset_graph.get_ancestor_asset_keys(key)
    return keys


def latest_check_statuses(
    instance: DagsterInstance, check_keys: Iterable[AssetCheckKey]
) -> list[CheckStatus]:
    """The latest *completed* evaluation of each check: a check that was planned but never
    ran (its run failed upstream, so its asset was not rebuilt either) is judged by the
    evaluation before."""
    check_keys = list(check_keys)
    summaries = instance.event_log_storage.get_asset_check_summary_records(check_keys)
    statuses = []
    for key in check_keys:
        summary = summaries.get(key)
        record = summary.last_completed_check_execution_record if summary else None
        status = record.status.value if record else None
        if status not in (_SUCCEEDED, _FAILED) or record.evaluation is None:
            statuses.append(CheckStatus(key, "not_evaluated"))
            continue
        evaluation = record.evaluation
        if status == _SUCCEEDED:
            state = "passed"
        elif evaluation.severity == AssetCheckSeverity.WARN:
            state = "warned"
        else:
            state = "failed"
        statuses.append(
            CheckStatus(
                key=key,
                state=state,
                run_id=record.run_id,
                timestamp=record.event.timestamp if record.event else record.create_timestamp,
                description=(evaluation.description or "")[:300] or None,
            )
        )
    return statuses


def failed_builds(instance: DagsterInstance, asset_keys: Iterable[AssetKey]) -> list[FailedBuild]:
    """Assets whose latest materialization was produced by a step that ended in failure."""
    latest = instance.get_latest_materialization_events(list(asset_keys))
    by_step: dict[tuple[str, str], list] = {}
    for key, entry in latest.items():
        if entry is not None and entry.run_id and entry.step_key:
            by_step.setdefault((entry.run_id, entry.step_key), []).append((key, entry))
    failed = []
    for (run_id, step_key), entries in by_step.items():
        stats = instance.get_run_step_stats(run_id, step_keys=[step_key])
        if any(s.status.value == _STEP_FAILURE for s in stats):
            failed += [FailedBuild(k, run_id, step_key, e.timestamp) for k, e in entries]
    return sorted(failed, key=lambda f: f.name)


def _asset_graph(context: AssetExecutionContext, asset_graph=None):
    """The graph to find upstream checks in: the one given, else the code location's (runs
    launched by the UI, schedules, sensors), else the running job's. An in-process run
    (`execute_in_process`) has no code location, and its job's graph only holds the checks
    the job selected: such callers pass `asset_graph=defs.resolve_asset_graph()`."""
    if asset_graph is not None:
        return asset_graph
    try:
        return context.repository_def.asset_graph
    except Exception:
        context.log.warning(
            "Quality gate: no code location in this in-process run; only the checks selected "
            "in this job are visible (pass asset_graph= to see all)."
        )
        return context.job_def.asset_layer.asset_graph


def upstream_check_failures(
    context: AssetExecutionContext,
    asset_keys: Iterable[AssetKey] | None = None,
    *,
    include_ancestors: bool = True,
    require_evaluated: bool = True,
    asset_graph=None,
) -> tuple[list[CheckStatus | FailedBuild], list[CheckStatus]]:
    """(reasons to stop, statuses of every blocking upstream check) for the running asset.

    `asset_keys` defaults to the running asset's dependencies."""
    graph = _asset_graph(context, asset_graph)
    if asset_keys is None:
        asset_keys = set()
        for key in context.assets_def.keys:
            asset_keys |= set(graph.get(key).parent_keys)
    upstream = upstream_assets(graph, asset_keys, include_ancestors)
    statuses = latest_check_statuses(
        context.instance, upstream_blocking_checks(graph, upstream, include_ancestors=False)
    )
    failures: list[CheckStatus | FailedBuild] = [
        s for s in statuses if s.blocks and (require_evaluated or s.state != "not_evaluated")
    ]
    failures += failed_builds(context.instance, upstream - set(context.assets_def.keys))
    return failures, statuses


def assert_upstream_checks_passed(
    context: AssetExecutionContext,
    asset_keys: Iterable[AssetKey] | None = None,
    *,
    include_ancestors: bool = True,
    require_evaluated: bool = True,
    asset_graph=None,
) -> list[CheckStatus]:
    """Raise a `Failure` naming every blocking upstream check whose latest evaluation failed
    with ERROR severity (or that never ran), and every upstream asset last built by a failed
    step; return the check statuses when the gate is open. Fails closed when it finds no
    blocking check upstream at all (a misconfigured gate).

    Call it before writing anything, so a stopped report leaves the previous one in place."""
    targets = ", ".join(k.to_user_string() for k in context.assets_def.keys)
    failures, statuses = upstream_check_failures(
        context,
        asset_keys,
        include_ancestors=include_ancestors,
        require_evaluated=require_evaluated,
        asset_graph=asset_graph,
    )
    if not statuses:
        raise Failure(
            description=f"Quality gate: no blocking check found upstream of {targets}; "
            "refusing to build from unchecked data (in an in-process run, pass asset_graph=).",
            allow_retries=False,
        )
    warned = [s for s in statuses if s.state == "warned"]
    if warned:
        context.log.warning(
            "Upstream checks with warnings (not blocking): " + "; ".join(s.name for s in warned)
        )
    if failures:
        names = ", ".join(f.name for f in failures)
        context.log.error(f"Quality gate closed by {len(failures)} upstream problem(s): {names}")
        raise Failure(
            description=(
                f"Quality gate: {len(failures)} blocking upstream problem(s), so {targets} was "
                "not built and the previous output is left in place. "
                + " | ".join(f.describe() for f in failures)
            ),
            metadata={
                "blocked_by": MetadataValue.md(
                    "| upstream | state | run | details |\n|---|---|---|---|\n"
                    + "\n".join(
                        f"| {f.name} | {f.state} | {f.run_id or '-'} | "
                        f"{(f.description or f.describe()).replace('|', '/')} |"
                        for f in failures
                    )
                ),
                "blocking_checks_verified": len(statuses),
            },
            allow_retries=False,
        )
    context.log.info(f"Quality gate open: {len(statuses)} blocking upstream checks passed")
    return statuses
