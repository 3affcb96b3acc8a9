"""The dbt tests of a model as one asset check, `dbt_tests`, with every test in its metadata.

One Dagster check per dbt test cost three events per test in every run (planned, output,
evaluation: ~3,000 for ~1,000 tests, a large part of the dbt step's time on small data).
One check per model keeps each test visible in the UI: the evaluation's metadata holds a
table of every test (name, status, severity, failing rows, message) and the compiled SQL of
the tests that did not pass. The check is blocking when one of its tests has severity
`error`; it fails with severity ERROR when such a test fails (downstream assets stop), and
with severity WARN when only `warn` tests failed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from dagster import (
    AssetCheckKey,
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetKey,
    MetadataValue,
    TableColumn,
    TableRecord,
    TableSchema,
)
from dagster_dbt.asset_utils import get_asset_check_key_for_test

DBT_TESTS_CHECK = "dbt_tests"
CHECK_SCOPE_VAR = "check_scope"  # dbt var: `window` (the run's rows) or `full` (whole tables)
DEFAULT_CHECK_SCOPE = "full"
_NOT_PASSED = ("fail", "warn", "error")
_TEST_TABLE = TableSchema(
    columns=[
        TableColumn("test", "string"),
        TableColumn("status", "string"),
        TableColumn("severity", "string"),
        TableColumn("failures", "int"),
        TableColumn("message", "string"),
    ]
)


@dataclass(frozen=True)
class ModelTests:
    """The dbt tests attached to one asset."""

    asset_key: AssetKey
    test_ids: tuple[str, ...]
    blocking: bool
    deps: frozenset[AssetKey]

    def spec(self) -> AssetCheckSpec:
        return AssetCheckSpec(
            name=DBT_TESTS_CHECK,
            asset=self.asset_key,
            description=f"The model's {len(self.test_ids)} dbt tests; each test's status, "
            "severity and failing rows are in the evaluation's metadata.",
            additional_deps=self.deps - {self.asset_key},
            blocking=self.blocking,
            metadata={"dbt_test_count": len(self.test_ids)},
        )


def tests_by_asset(manifest: Mapping[str, Any], translator, project) -> dict[AssetKey, ModelTests]:
    """Every dbt test grouped by the asset dagster-dbt attaches it to (its model, or the
    model named in a singular test's `meta.dagster.ref`)."""
    grouped: dict[AssetKey, list[str]] = defaultdict(list)
    for unique_id in sorted(manifest["nodes"]):
        key = get_asset_check_key_for_test(manifest, translator, unique_id, project)
        if key is not None:
            grouped[key.asset_key].append(unique_id)
    return {
        asset_key: ModelTests(
            asset_key=asset_key,
            test_ids=tuple(ids),
            blocking=any(_severity(manifest["nodes"][uid]) == "error" for uid in ids),
            deps=frozenset(
                translator.get_asset_key(_props(manifest, parent))
                for uid in ids
                for parent in manifest["parent_map"].get(uid, [])
                if _props(manifest, parent) is not None
            ),
        )
        for asset_key, ids in grouped.items()
    }


def model_check_results(
    run_results: Iterable[Mapping[str, Any]],
    manifest: Mapping[str, Any],
    grouped: Mapping[AssetKey, ModelTests],
    selected: Iterable[AssetCheckKey],
    check_scope: str,
) -> Iterator[AssetCheckResult]:
    """One result per selected `dbt_tests` check whose tests dbt ran (a model that dbt
    skipped has no result: its check stays not evaluated, as its asset is not materialized)."""
    by_id = {r["unique_id"]: r for r in run_results}
    for check_key in sorted(selected, key=lambda k: k.asset_key.to_user_string()):
        tests = grouped.get(check_key.asset_key)
        if check_key.name != DBT_TESTS_CHECK or tests is None:
            continue
        ran = [(manifest["nodes"][uid], by_id[uid]) for uid in tests.test_ids if uid in by_id]
        ran = [(node, result) for node, result in ran if result["status"] != "skipped"]
        if ran:
            yield _result(check_key.asset_key, ran, check_scope)


def _result(asset_key: AssetKey, ran: list[tuple[Mapping, Mapping]], scope: str):
    not_passed = [(n, r) for n, r in ran if r["status"] in _NOT_PASSED]
    # dbt reports `warn` for a warn-severity test (or a `warn_if` threshold), else `fail`
    errors = any(r["status"] in ("fail", "error") for _, r in not_passed)
    counts = defaultdict(int)
    for _, result in ran:
        counts[result["status"]] += 1
    metadata: dict[str, Any] = {
        "check_scope": scope,
        "dbt_tests_run": len(ran),
        **{f"dbt_tests_{status}": counts[status] for status in ("pass", "warn", "fail", "error")},
        "dagster_dbt/failed_row_count": sum(r.get("failures") or 0 for _, r in ran),
        "dbt_tests": MetadataValue.table(
            records=[_record(node, result) for node, result in ran], schema=_TEST_TABLE
        ),
    }
    if not_passed:
        metadata["failed_tests_sql"] = MetadataValue.md(
            "\n\n".join(_sql_block(n, r) for n, r in not_passed)
        )
    return AssetCheckResult(
        asset_key=asset_key,
        check_name=DBT_TESTS_CHECK,
        passed=not not_passed,
        severity=AssetCheckSeverity.ERROR if errors else AssetCheckSeverity.WARN,
        description=_describe(not_passed, len(ran)) if not_passed else None,
        metadata=metadata,
    )


def _describe(not_passed: list[tuple[Mapping, Mapping]], ran: int) -> str:
    tests = "; ".join(
        f"{n['name']} ({r['status']}, {r.get('failures') or 0} failing rows)" for n, r in not_passed
    )
    return f"{len(not_passed)} of {ran} dbt tests did not pass: {tests}"


def _sql_block(node: Mapping[str, Any], result: Mapping[str, Any]) -> str:
    sql = (result.get("compiled_code") or "").strip()
    return f"**{node['name']}** ({result['status']})\n```sql\n{sql}\n```"


def _record(node: Mapping[str, Any], result: Mapping[str, Any]) -> TableRecord:
    return TableRecord(
        {
            "test": node["name"],
            "status": result["status"],
            "severity": _severity(node),
            "failures": result.get("failures") or 0,
            "message": (result.get("message") or "").strip()[:300],
        }
    )


def _severity(node: Mapping[str, Any]) -> str:
    return (node.get("config", {}).get("severity") or "error").lower()


def _props(manifest: Mapping[str, Any], unique_id: str) -> Mapping[str, Any] | None:
    props = manifest["nodes"].get(unique_id) or manifest["sources"].get(unique_id)
    if props is None or props["resource_type"] not in ("model", "seed", "snapshot", "source"):
        return None
    return props
