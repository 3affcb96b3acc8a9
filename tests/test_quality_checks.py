"""Quality checks in real pipeline runs: the clean build passes every check; a defective
batch fails the named check with useful metadata, and the report / publish stand-ins
(defined here; the real ones are other issues) are stopped with their previous outputs
left untouched on disk. Each scenario runs on a copy of the session's clean build.

Everything a run needs comes from the Settings its definitions are built with; only the
Dagster instance is found through DAGSTER_HOME (`isolated`).
"""

import json
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest
from conftest import Workspace, copy_build
from dagster import (
    AssetCheckSeverity,
    AssetExecutionContext,
    AssetKey,
    AssetSelection,
    DagsterInstance,
    Definitions,
    asset,
    define_asset_job,
)

from ka_pipeline.defs.dbt.test_checks import DBT_TESTS_CHECK
from ka_pipeline.defs.quality.gate import latest_check_statuses, upstream_blocking_checks
from ka_pipeline.defs.report.assets import REPORT_GROUP
from ka_pipeline.landing.contract import ENTITIES_BY_KEY
from ka_pipeline.quality.suites import load_suites
from ka_pipeline.settings import Settings

pytestmark = pytest.mark.slow

LAST_DAY = date(2024, 12, 31)  # the sample's last day: what the nightly run of 2025-01-01 loads
NIGHTLY = {"partition_key": "2024-12-01", "tags": {"ka/business_day": LAST_DAY.isoformat()}}
ORDERS = AssetKey(["raw", "erp", "orders"])
BASE_ORDERS = AssetKey(["staging", "base_erp__orders"])
RFM = AssetKey(["marts", "mart_account_rfm"])
REPORT = AssetKey(["reports", "weekly_report_stand_in"])
RELEASE = AssetKey(["publish", "bi_release_stand_in"])
REPORT_INPUTS = [
    AssetKey(["marts", m]) for m in ("mart_kpi_monthly", "mart_account_tiers", "mart_account_rfm")
]


# ---------------------------------------------------------------------------- helpers
@dataclass(frozen=True)
class Home:
    """A pipeline home (data + Dagster instance) with settings that ignore os.environ."""

    root: Path

    @property
    def settings(self) -> Settings:
        return Settings.from_env({"KA_DATA_DIR": str(self.root / "data")})


def isolated(home: Home, monkeypatch) -> Home:
    """Point DAGSTER_HOME at `home`'s instance for the test (restored afterwards)."""
    monkeypatch.setenv("DAGSTER_HOME", str(home.root / "dagster_home"))
    return home


@pytest.fixture
def ws(clean_build, tmp_path, monkeypatch) -> Home:
    """A private copy of the clean build (landing, warehouse, outputs, Dagster instance)."""
    copy_build(clean_build, tmp_path)
    return isolated(Home(tmp_path), monkeypatch)


def build_definitions(settings: Settings) -> Definitions:
    from ka_pipeline.defs.definitions import build_definitions as build

    return build(settings)


def redeliver_last_day(ws: Home, orphan_share: float = 0.0):
    """Re-send the orders of LAST_DAY, as the nightly run after it would load them: the
    day's orders plus the week's as new orders (so the batch is big enough to block, and
    9 times the usual count: a row-count warning), optionally with a share of unknown
    (orphan) accounts."""
    orders = ENTITIES_BY_KEY["erp/orders"]
    path = orders.path_for(ws.settings.landing_dir, LAST_DAY)
    header, *rows = path.read_text(encoding="utf-8").splitlines()
    week = []
    for day in range(23, 31):
        earlier = orders.path_for(ws.settings.landing_dir, date(2024, 12, day))
        week += earlier.read_text(encoding="utf-8").splitlines()[1:]
    rows += [f"O20241231-8{i:05d},{r.split(',', 1)[1]}" for i, r in enumerate(week)]
    cut = round(len(rows) * orphan_share)
    rows = [
        ",".join([r.split(",")[0], f"A9{i:07d}", *r.split(",")[2:]])
        for i, r in enumerate(rows[:cut])
    ] + rows[cut:]
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")


def previous_outputs(ws: Home) -> dict[Path, tuple[str, int]]:
    out = ws.settings.output_dir
    (out / "reports").mkdir(parents=True, exist_ok=True)
    (out / "releases" / "current").mkdir(parents=True, exist_ok=True)
    files = [out / "reports" / "weekly_report.md", out / "releases" / "current" / "release.json"]
    for path in files:
        path.write_text(f"previous {path.name}\n", encoding="utf-8")
    return {p: (p.read_text(encoding="utf-8"), p.stat().st_mtime_ns) for p in files}


def unchanged(before: dict[Path, tuple[str, int]]) -> bool:
    return all(
        (p.read_text(encoding="utf-8"), p.stat().st_mtime_ns) == v for p, v in before.items()
    )


def gated_definitions(ws: Home, report_inputs=REPORT_INPUTS) -> Definitions:
    """The project's definitions plus gated report / publish stand-ins and test jobs."""
    out = ws.settings.output_dir
    graph: dict = {}

    @asset(key=REPORT, deps=report_inputs)
    def weekly_report(context: AssetExecutionContext) -> None:
        assert_gate(context, graph)
        (out / "reports" / "weekly_report.md").write_text(
            f"report {context.run_id}\n", encoding="utf-8"
        )

    @asset(key=RELEASE, deps=[weekly_report, *report_inputs])
    def bi_release(context: AssetExecutionContext) -> None:
        assert_gate(context, graph)
        (out / "releases" / "current" / "release.json").write_text(
            json.dumps({"run": context.run_id})
        )

    defs = Definitions.merge(
        build_definitions(ws.settings),
        Definitions(
            assets=[weekly_report, bi_release],
            jobs=[
                # everything but the real weekly report (weekly partitions, its own job)
                define_asset_job(
                    "gated_build", AssetSelection.all() - AssetSelection.groups(REPORT_GROUP)
                ),
                define_asset_job("report_only", AssetSelection.assets(REPORT, RELEASE)),
            ],
        ),
    )
    graph["graph"] = defs.resolve_asset_graph()
    return defs


def assert_gate(context, graph):
    from ka_pipeline.defs.quality.gate import assert_upstream_checks_passed

    assert_upstream_checks_passed(context, asset_graph=graph["graph"])


def run(ws: Home, defs: Definitions, job: str, **kwargs):
    with DagsterInstance.from_config(str(ws.root / "dagster_home")) as instance:
        return defs.resolve_job_def(job).execute_in_process(
            instance=instance, raise_on_error=False, **kwargs
        )


def materialized(result) -> set[AssetKey]:
    return {e.asset_key for e in result.get_asset_materialization_events()}


def step_failures(result) -> dict[str, str]:
    return {
        e.step_key: e.step_failure_data.error.message if e.step_failure_data.error else ""
        for e in result.all_events
        if e.is_step_failure
    }


def evaluation(result, asset_key: AssetKey, name: str):
    return next(
        e
        for e in result.get_asset_check_evaluations()
        if e.asset_key == asset_key and e.check_name == name
    )


# ------------------------------------------------------------------------------ tests
def test_the_clean_build_passes_every_check(clean_build, monkeypatch):
    defs = build_definitions(isolated(Home(clean_build.root), monkeypatch).settings)
    graph = defs.resolve_asset_graph()
    gx_names = {s.check_name for s in load_suites()}
    with DagsterInstance.from_config(str(clean_build.root / "dagster_home")) as instance:
        statuses = latest_check_statuses(instance, graph.asset_check_keys)
    not_passed = [s.describe() for s in statuses if s.state != "passed"]
    assert not_passed == []
    assert gx_names <= {s.key.name for s in statuses}
    # and the gate of a report on the marts sees every blocking check up to the sources
    blocking = upstream_blocking_checks(graph, REPORT_INPUTS)
    assert {k.asset_key.path[0] for k in blocking} >= {"raw", "staging", "core", "marts"}


def test_realistic_defects_warn_without_blocking(defects_build):
    """3 % realistic defects (duplicates, re-sends, a few bad values) are staging's job: the
    raw suites and the delivered_* dbt tests report them as warnings at most, and nothing
    blocks; the marts built from them pass. (The defects build runs the loader and dbt
    without Dagster, so the suites run here; dbt's results are the build's.)"""
    from conftest import SAMPLE_END, SAMPLE_START

    from ka_pipeline.quality.batches import read_batch
    from ka_pipeline.quality.runner import validate

    days = [SAMPLE_START + timedelta(days=i) for i in range((SAMPLE_END - SAMPLE_START).days + 1)]
    home = Home(defects_build.root)
    with duckdb.connect(str(home.settings.warehouse_path), read_only=True) as conn:
        results = [validate(s, read_batch(conn, s, days)) for s in load_suites()]
    assert [r.summary() for r in results if r.severity == "error"] == []
    manifest = json.loads((defects_build.root / "dbt_target" / "manifest.json").read_text())
    delivered = {
        uid for uid, node in manifest["nodes"].items() if "delivery_quality" in node["tags"]
    }
    build = json.loads((defects_build.root / "build_run_results.json").read_text())["results"]
    statuses = {r["status"] for r in build if r["unique_id"] in delivered}
    assert statuses == {"pass", "warn"}  # the duplicates and re-sends are worth a look


def test_orphan_orders_stop_the_marts_report_and_publish(ws):
    redeliver_last_day(ws, orphan_share=0.3)
    before = previous_outputs(ws)
    defs = gated_definitions(ws)

    result = run(ws, defs, "gated_build", **NIGHTLY)

    assert not result.success
    failures = step_failures(result)
    assert list(failures) == ["dbt_warehouse"]  # the raw suites passed: the delivery's shape
    assert "orders_account_id_known" in failures["dbt_warehouse"]
    check = evaluation(result, BASE_ORDERS, DBT_TESTS_CHECK)
    assert not check.passed and check.severity == AssetCheckSeverity.ERROR and check.blocking
    assert "orders_account_id_known (fail" in check.description
    tests = {r.data["test"]: r.data for r in check.metadata["dbt_tests"].value.records}
    assert tests["orders_account_id_known"]["status"] == "fail"
    assert tests["orders_account_id_known"]["failures"] > 0
    assert {t["status"] for name, t in tests.items() if name != "orders_account_id_known"} <= {
        "pass",
        "warn",
    }
    assert "orders_account_id_known" in check.metadata["failed_tests_sql"].value
    assert check.metadata["check_scope"].value == "window"  # a nightly run
    # dbt skipped what is built from the orders and the accounts (the facts, the account
    # marts; models built from neither, e.g. the funnel, still ran); the stand-ins were
    # skipped after the failed step: nothing rewritten
    assert BASE_ORDERS in materialized(result)
    assert not {AssetKey(["core", "fct_orders"]), *REPORT_INPUTS} & materialized(result)
    assert REPORT not in materialized(result) and RELEASE not in materialized(result)
    assert unchanged(before)

    # the weekly report, scheduled on its own later, is stopped by the gate naming the check
    later = run(ws, defs, "report_only")
    assert not later.success and unchanged(before)
    message = step_failures(later)["reports__weekly_report_stand_in"]
    assert f"staging/base_erp__orders › {DBT_TESTS_CHECK}: FAILED" in message
    assert "orders_account_id_known" in message  # the check's description names the test


def test_warnings_do_not_block(ws):
    redeliver_last_day(ws)  # 9 times the usual orders: worth a look, not wrong
    before = previous_outputs(ws)
    out = ws.settings.output_dir
    graph: dict = {}

    @asset(key=REPORT, deps=[ORDERS])  # a stand-in reading the source directly (no dbt run)
    def orders_digest(context: AssetExecutionContext) -> None:
        assert_gate(context, graph)
        (out / "reports" / "weekly_report.md").write_text("new report\n", encoding="utf-8")

    defs = Definitions.merge(
        build_definitions(ws.settings),
        Definitions(
            assets=[orders_digest],
            jobs=[
                define_asset_job(
                    "digest", AssetSelection.groups("extract") | AssetSelection.assets(REPORT)
                )
            ],
        ),
    )
    graph["graph"] = defs.resolve_asset_graph()
    result = run(ws, defs, "digest", **NIGHTLY)

    assert result.success
    check = evaluation(result, ORDERS, "gx_raw__erp__orders")
    assert not check.passed and check.severity == AssetCheckSeverity.WARN
    assert check.metadata["failed_warn"].value >= 1 and check.metadata["failed_error"].value == 0
    assert REPORT in materialized(result)
    assert not unchanged(before)


def test_a_failed_mart_check_stops_report_and_publish(ws):
    with duckdb.connect(str(ws.settings.warehouse_path)) as conn:  # a broken tier threshold
        conn.execute(
            "update marts.mart_account_tiers "
            "set value_tier_code = 'general', is_key_account = false"
        )
    before = previous_outputs(ws)
    defs = gated_definitions(ws)
    mart_checks = [AssetKey(list(s.asset_key)) for s in load_suites(layer="marts")]
    job = define_asset_job(
        "mart_checks_and_report",
        AssetSelection.checks(
            *[
                c
                for c in defs.resolve_asset_graph().asset_check_keys
                if c.asset_key in mart_checks and c.name.startswith("gx_")
            ]
        )
        | AssetSelection.assets(REPORT, RELEASE),
    )
    defs = Definitions.merge(defs, Definitions(jobs=[job]))

    result = run(ws, defs, "mart_checks_and_report")

    assert not result.success
    assert (
        "marts/mart_account_tiers: gx_marts__mart_account_tiers"
        in step_failures(result)["mart_quality_checks"]
    )
    check = evaluation(
        result, AssetKey(["marts", "mart_account_tiers"]), "gx_marts__mart_account_tiers"
    )
    assert check.severity == AssetCheckSeverity.ERROR
    failed = {(f["expectation"], f["column"]) for f in check.metadata["failures"].value}
    assert ("expect_column_unique_value_count_to_be_between", "value_tier_code") in failed
    assert ("expect_column_max_to_be_between", "value_tier_code__share") in failed
    others = [
        e
        for e in result.get_asset_check_evaluations()
        if e.asset_key.path[1] != "mart_account_tiers"
    ]
    assert others and all(e.passed for e in others)
    assert REPORT not in materialized(result) and unchanged(before)


def test_a_failed_error_dbt_test_stops_the_report(ws):
    with duckdb.connect(str(ws.settings.warehouse_path)) as conn:  # scores outside 1..5 upstream
        conn.execute(
            "update marts_intermediate.int_rfm_scores set r_score = 9 "
            "where account_id in (select account_id from marts_intermediate.int_rfm_scores limit 3)"
        )
    before = previous_outputs(ws)
    defs = gated_definitions(ws, report_inputs=[RFM])
    defs = Definitions.merge(
        defs,
        Definitions(jobs=[define_asset_job("rfm_and_report", AssetSelection.assets(RFM, REPORT))]),
    )

    result = run(ws, defs, "rfm_and_report")  # dbt build --select mart_account_rfm (+ its tests)

    assert not result.success
    assert "dbt_warehouse" in step_failures(result)
    dbt_failed = [
        e
        for e in result.get_asset_check_evaluations()
        if e.asset_key == RFM and not e.passed and not e.check_name.startswith("gx_")
    ]
    assert dbt_failed and all(
        e.blocking and e.severity == AssetCheckSeverity.ERROR for e in dbt_failed
    )
    assert REPORT not in materialized(result) and unchanged(before)

    later = run(ws, defs, "report_only")
    assert not later.success and unchanged(before)
    assert any(
        f"marts/mart_account_rfm › {e.check_name}: FAILED"
        in step_failures(later)["reports__weekly_report_stand_in"]
        for e in dbt_failed
    )


def test_nulls_in_required_columns_fail_the_models_one_not_null_test(ws):
    with duckdb.connect(str(ws.settings.warehouse_path)) as conn:
        first_three = "(select account_id from marts.mart_account_rfm order by 1 limit 3)"
        conn.execute(
            "update marts.mart_account_rfm set m_score = null, segment_code = null "
            f"where account_id in {first_three}"
        )
        conn.execute(
            "update marts.mart_account_rfm set r_score = null "
            "where account_id = (select max(account_id) from marts.mart_account_rfm)"
        )
    select = "mart_account_rfm,test_name:not_null_columns"
    with pytest.raises(AssertionError, match="Got 4 results"):
        Workspace(ws.root).dbt("test", "--select", select, "--store-failures")
    with duckdb.connect(str(ws.settings.warehouse_path), read_only=True) as conn:
        (table,) = conn.execute(
            "select table_schema || '.' || table_name from information_schema.tables "
            "where table_schema like '%dbt_test__audit' and table_name like 'not_null_columns%'"
        ).fetchone()
        named = conn.execute(f"select null_columns, count(*) from {table} group by 1").fetchall()
    assert sorted(named) == [("m_score segment_code ", 3), ("r_score ", 1)]


def test_error_severity_dbt_tests_are_blocking_checks():
    from ka_pipeline.defs.dbt.assets import TRANSLATOR, dbt_warehouse
    from ka_pipeline.defs.dbt.project import dbt_project

    manifest = json.loads(Path(dbt_project.manifest_path).read_text(encoding="utf-8"))
    severity = {
        node["name"]: node["config"].get("severity", "error").lower()
        for node in manifest["nodes"].values()
        if node["resource_type"] == "test"
    }
    tests = TRANSLATOR.model_tests(manifest, dbt_project)
    specs = list(dbt_warehouse.check_specs)
    assert specs and {s.name for s in specs} == {DBT_TESTS_CHECK}
    assert {s.asset_key for s in specs} == set(tests)
    # every test on one model is in that model's check (a singular test on several models
    # stays an observation); the check blocks when one of its tests is an error
    grouped = {manifest["nodes"][uid]["name"] for t in tests.values() for uid in t.test_ids}
    single_model = {
        node["name"]
        for node in manifest["nodes"].values()
        if node["resource_type"] == "test"
        and (node.get("attached_node") or len(set(node["depends_on"]["nodes"])) == 1)
    }
    assert grouped == single_model
    for spec in specs:
        names = [manifest["nodes"][uid]["name"] for uid in tests[spec.asset_key].test_ids]
        assert spec.blocking == any(severity[n] == "error" for n in names), spec.asset_key
    from ka_pipeline.defs.quality import quality_checks  # the GX checks are blocking too

    assert all(spec.blocking for checks in quality_checks for spec in checks.check_specs)
