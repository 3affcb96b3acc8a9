"""The quality gate and freshness, with real Dagster runs on stand-in assets defined here.

The report / publish assets are other issues; the stand-ins below behave like them: they
call `assert_upstream_checks_passed` first, then write a file. A stopped stand-in must
leave the previous file exactly as it was.

No `from __future__ import annotations`: Dagster reads the context annotation at definition.
"""

import asyncio
import time
from pathlib import Path

import pytest
from conftest import extract_assets
from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    AssetExecutionContext,
    AssetKey,
    AssetMaterialization,
    AssetSelection,
    DagsterInstance,
    Definitions,
    Failure,
    Output,
    asset,
    asset_check,
    define_asset_job,
)

from ka_pipeline.defs.quality.freshness import SOURCE_FRESHNESS, with_source_freshness
from ka_pipeline.defs.quality.gate import assert_upstream_checks_passed

SOURCE = AssetKey(["raw", "erp", "orders"])


def toy_definitions(outcome: dict, out: Path) -> Definitions:
    """mart -> report: a blocking check on the mart whose result comes from `outcome`
    ("pass" / "warn" / "error"), and a gated report. Runs are in process, so the report
    hands the gate the definitions' graph (a launched run finds it in its code location)."""
    graph: dict = {}

    @asset(key=["marts", "toy_mart"])
    def toy_mart():
        if outcome.get("mart_fails"):
            raise RuntimeError("mart build failed")
        yield Output(None)
        if outcome.get("test_fails_after_build"):  # like dbt: model built, then a test fails
            raise Failure("dbt test assert_revenue_reconciles failed")

    @asset_check(asset=toy_mart, name="gx_toy", blocking=True)
    def gx_toy() -> AssetCheckResult:
        state = outcome.get("check", "pass")
        return AssetCheckResult(
            passed=state == "pass",
            severity=AssetCheckSeverity.WARN if state == "warn" else AssetCheckSeverity.ERROR,
            description=f"toy check: {state}",
        )

    @asset(key=["reports", "toy_report"], deps=[toy_mart])
    def toy_report(context: AssetExecutionContext) -> None:
        assert_upstream_checks_passed(context, asset_graph=graph["graph"])
        (out / "report.md").write_text(f"report of run {context.run_id}\n", encoding="utf-8")

    defs = Definitions(
        assets=[toy_mart, toy_report],
        asset_checks=[gx_toy],
        jobs=[
            define_asset_job("all", AssetSelection.all()),
            define_asset_job("mart_only", AssetSelection.assets(toy_mart)),
            define_asset_job("report_only", AssetSelection.assets(toy_report)),
        ],
    )
    graph["graph"] = defs.resolve_asset_graph()
    return defs


@pytest.fixture
def setup(tmp_path):
    out = tmp_path / "outputs"
    out.mkdir()
    previous = out / "report.md"
    previous.write_text("last week's report\n", encoding="utf-8")
    outcome: dict = {}
    with DagsterInstance.ephemeral() as instance:

        def run(job: str):
            defs = toy_definitions(outcome, out)
            return defs.resolve_job_def(job).execute_in_process(
                instance=instance, raise_on_error=False
            )

        yield outcome, run, previous


def report_ran(result) -> bool:
    return any(
        e.asset_key == AssetKey(["reports", "toy_report"])
        for e in result.get_asset_materialization_events()
    )


def test_a_failed_blocking_check_skips_the_report_in_the_same_run(setup):
    outcome, run, previous = setup
    outcome["check"] = "error"
    result = run("all")
    assert not result.success and not report_ran(result)
    failure = next(e for e in result.all_events if e.is_step_failure)
    assert failure.step_key == "marts__toy_mart_gx_toy"
    assert "marts/toy_mart: gx_toy" in failure.step_failure_data.error.message
    assert previous.read_text(encoding="utf-8") == "last week's report\n"


def test_the_gate_stops_a_later_report_run_naming_the_check(setup):
    outcome, run, previous = setup
    outcome["check"] = "error"
    assert not run("mart_only").success  # the nightly build found the problem
    result = run("report_only")  # the weekly report runs on its own schedule
    assert not result.success and not report_ran(result)
    failure = next(e for e in result.all_events if e.is_step_failure)
    message = failure.step_failure_data.user_failure_data.description
    assert "marts/toy_mart › gx_toy: FAILED" in message and "toy check: error" in message
    assert previous.read_text(encoding="utf-8") == "last week's report\n"
    outcome["check"] = "pass"  # fixed and re-checked: the gate opens again
    assert run("mart_only").success
    assert run("report_only").success
    assert previous.read_text(encoding="utf-8").startswith("report of run")


def test_warnings_do_not_block(setup):
    outcome, run, _ = setup
    outcome["check"] = "warn"
    same_run = run("all")
    assert same_run.success and report_ran(same_run)
    (evaluation,) = same_run.get_asset_check_evaluations()
    assert not evaluation.passed and evaluation.severity == AssetCheckSeverity.WARN
    assert run("report_only").success


def test_a_check_that_never_ran_closes_the_gate(setup):
    _, run, previous = setup
    result = run("report_only")
    assert not result.success
    failure = next(e for e in result.all_events if e.is_step_failure)
    assert "has never been evaluated" in failure.step_failure_data.user_failure_data.description
    assert previous.read_text(encoding="utf-8") == "last week's report\n"


def test_the_gate_fails_closed_when_it_sees_no_check(tmp_path):
    @asset
    def unchecked() -> None:
        pass

    @asset(deps=[unchecked])
    def report(context: AssetExecutionContext) -> None:
        assert_upstream_checks_passed(context)

    defs = Definitions(assets=[unchecked, report], jobs=[define_asset_job("r", [report])])
    result = defs.resolve_job_def("r").execute_in_process(raise_on_error=False)
    failure = next(e for e in result.all_events if e.is_step_failure)
    assert (
        "no blocking check found upstream"
        in failure.step_failure_data.user_failure_data.description
    )


def test_a_check_skipped_by_a_failed_build_is_judged_by_its_last_evaluation(setup):
    outcome, run, _ = setup
    assert run("all").success  # checks pass, report written
    outcome["mart_fails"] = True  # next night the mart fails: its check is planned, never run
    assert not run("mart_only").success
    assert run("report_only").success  # the mart on disk is still the checked one


def test_a_mart_built_by_a_failed_step_closes_the_gate(setup):
    outcome, run, previous = setup
    outcome["test_fails_after_build"] = True  # its checks pass, but the build step failed
    assert not run("mart_only").success
    result = run("report_only")
    assert not result.success
    message = next(e for e in result.all_events if e.is_step_failure)
    description = message.step_failure_data.user_failure_data.description
    assert "marts/toy_mart: last built" in description and "which failed" in description
    assert previous.read_text(encoding="utf-8") == "last week's report\n"


# --------------------------------------------------------------------------- freshness
def test_every_source_has_a_freshness_policy_with_the_documented_thresholds():
    specs = [s for a in with_source_freshness(extract_assets()) for s in a.specs]
    assert len(specs) == 13
    for spec in specs:
        kind = "daily" if spec.partitions_def is not None else "snapshot"
        policy = spec.freshness_policy
        assert policy.warn_window.to_timedelta() == SOURCE_FRESHNESS[kind].warn_after
        assert policy.fail_window.to_timedelta() == SOURCE_FRESHNESS[kind].fail_after


def test_freshness_warns_after_36_hours_and_fails_after_60(monkeypatch):
    from dagster._core.definitions import freshness_evaluator
    from dagster._core.definitions.assets.graph.asset_graph import AssetGraph
    from dagster._core.definitions.freshness import FreshnessState
    from dagster._core.loader import LoadingContextForTest

    graph = AssetGraph.from_assets(with_source_freshness(extract_assets()))
    node = graph.get(SOURCE)
    evaluator = freshness_evaluator.FRESHNESS_EVALUATORS_BY_POLICY_TYPE[type(node.freshness_policy)]
    evaluator = evaluator() if isinstance(evaluator, type) else evaluator
    with DagsterInstance.ephemeral() as instance:
        instance.report_runless_asset_event(AssetMaterialization(SOURCE, partition="2024-03-05"))
        loaded_at = time.time()
        states = {}
        for hours in (1, 40, 70):
            monkeypatch.setattr(
                freshness_evaluator, "get_current_timestamp", lambda h=hours: loaded_at + h * 3600
            )
            context = LoadingContextForTest(instance)
            states[hours] = asyncio.run(evaluator.evaluate_freshness(context, node))
    assert states == {1: FreshnessState.PASS, 40: FreshnessState.WARN, 70: FreshnessState.FAIL}
