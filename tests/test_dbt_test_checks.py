"""The dbt tests of a model as one `dbt_tests` check: grouping and judging, on the project's
real manifest and dbt's run_results format (the end-to-end failure path is in
test_quality_checks.py: orphan orders fail `base_erp__orders`' check and stop the marts)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from dagster import (
    AssetCheckKey,
    AssetCheckSeverity,
    AssetKey,
    AssetSelection,
    DagsterInstance,
    Definitions,
    define_asset_job,
)

from ka_pipeline.defs.dbt.assets import TRANSLATOR, dbt_warehouse
from ka_pipeline.defs.dbt.project import dbt_project
from ka_pipeline.defs.dbt.test_checks import DBT_TESTS_CHECK, model_check_results
from ka_pipeline.settings import Settings

TIERS = AssetKey(["marts", "mart_account_tiers"])
CHECK = AssetCheckKey(TIERS, DBT_TESTS_CHECK)


@pytest.fixture(scope="module")
def manifest() -> dict:
    return json.loads(Path(dbt_project.manifest_path).read_text(encoding="utf-8"))


def tier_tests(manifest) -> tuple[list[str], str, str]:
    """The tier mart's tests, one of severity error and one of severity warn."""
    ids = list(TRANSLATOR.model_tests(manifest, dbt_project)[TIERS].test_ids)
    severity = {u: manifest["nodes"][u]["config"].get("severity", "error").lower() for u in ids}
    error = next(u for u in ids if severity[u] == "error")
    warn = next(u for u in ids if severity[u] == "warn")
    return ids, error, warn


def results(ids: list[str], statuses: dict[str, str]) -> list[dict]:
    return [
        {
            "unique_id": uid,
            "status": statuses.get(uid, "pass"),
            "failures": 3 if statuses.get(uid) in ("fail", "warn") else 0,
            "message": "Got 3 results" if uid in statuses else None,
            "compiled_code": f"select 1 as failing_row -- {uid}",
        }
        for uid in ids
    ]


def judge(manifest, run_results, scope="full"):
    keys = [CHECK]
    grouped = TRANSLATOR.model_tests(manifest, dbt_project)
    return list(model_check_results(run_results, manifest, grouped, keys, scope))


def test_one_check_per_model_with_every_test(manifest):
    ids, _, _ = tier_tests(manifest)
    specs = {s.key: s for s in dbt_warehouse.check_specs}
    assert specs[CHECK].blocking  # it has error tests
    assert specs[CHECK].metadata["dbt_test_count"] == len(ids)

    (result,) = judge(manifest, results(ids, {}), scope="window")

    assert result.passed and result.description is None
    records = result.metadata["dbt_tests"].value.records
    assert sorted(r.data["test"] for r in records) == sorted(
        manifest["nodes"][u]["name"] for u in ids
    )
    assert result.metadata["check_scope"].value == "window"
    assert result.metadata["dbt_tests_pass"].value == len(ids)
    assert "failed_tests_sql" not in result.metadata


def test_a_warn_test_warns_and_an_error_test_fails_the_check(manifest):
    ids, error, warn = tier_tests(manifest)

    (warned,) = judge(manifest, results(ids, {warn: "warn"}))
    (failed,) = judge(manifest, results(ids, {warn: "warn", error: "fail"}))

    assert not warned.passed and warned.severity == AssetCheckSeverity.WARN
    assert not failed.passed and failed.severity == AssetCheckSeverity.ERROR
    name = manifest["nodes"][error]["name"]
    assert f"{name} (fail, 3 failing rows)" in failed.description
    assert f"-- {error}" in failed.metadata["failed_tests_sql"].value
    assert failed.metadata["dagster_dbt/failed_row_count"].value == 6
    row = next(r.data for r in failed.metadata["dbt_tests"].value.records if r.data["test"] == name)
    assert row == {
        "test": name,
        "status": "fail",
        "severity": "error",
        "failures": 3,
        "message": "Got 3 results",
    }


def test_tests_dbt_skipped_leave_the_check_not_evaluated(manifest):
    ids, _, _ = tier_tests(manifest)
    skipped = [{**r, "status": "skipped"} for r in results(ids, {})]

    assert judge(manifest, skipped) == []
    assert judge(manifest, []) == []


def test_a_dbt_tests_check_without_its_model_is_refused_with_a_message(tmp_path):
    from ka_pipeline.defs.definitions import build_definitions

    job = define_asset_job("tier_tests_only", AssetSelection.checks(CHECK))
    defs = Definitions.merge(
        build_definitions(Settings.from_env({"KA_DATA_DIR": str(tmp_path)})),
        Definitions(jobs=[job]),
    )
    with DagsterInstance.ephemeral() as instance:
        result = defs.resolve_job_def("tier_tests_only").execute_in_process(
            instance=instance, raise_on_error=False
        )

    (failure,) = [e for e in result.all_events if e.is_step_failure]
    message = failure.step_failure_data.user_failure_data.description
    assert "select these models together with their dbt_tests checks" in message
    assert message.endswith("marts/mart_account_tiers")
