"""The whole pipeline, end to end: generated files -> Dagster extract -> dbt -> warehouse."""

from __future__ import annotations

import json

import pytest
from conftest import extract_assets
from dagster import AssetKey, DagsterInstance, materialize

from ka_pipeline.defs.resources import build_resources
from ka_pipeline.landing.contract import ENTITIES

pytestmark = pytest.mark.slow

CORE_TABLES = (
    "dim_accounts", "dim_accounts_history", "dim_sales_reps", "dim_products", "dim_date",
    "dim_region", "fct_orders", "fct_order_lines", "fct_invoices", "fct_payments",
    "fct_opportunities", "fct_opportunity_stages", "fct_activities", "fct_surveys",
    "fct_complaints", "fct_tickets",
)  # fmt: skip

# What each injected defect kind must become: a quarantine reason prefix, or None when the
# value is valid in another format and must load (thousands separators, messy labels, ...).
DEFECT_REASONS = {
    "missing_key": "missing_key:",
    "orphan_order_line": "orphan_order:",
    "bad_quantity": ("non_numeric:quantity", "non_positive:quantity"),
    "future_date": "future_date:",
    "score_out_of_range": "out_of_range:",
    "unknown_enum": "unknown_enum:",
}


def orders_asset():
    return next(a for a in extract_assets() if a.key == AssetKey(["raw", "erp", "orders"]))


def test_clean_build_fills_every_layer(clean_build):
    for entity in ENTITIES:
        (rows,) = clean_build.query(f"select count(*) from raw.{entity.table}")[0]
        assert rows > 0, f"raw.{entity.table} is empty"
    for table in CORE_TABLES:
        (rows,) = clean_build.query(f"select count(*) from core.{table}")[0]
        assert rows > 0, f"core.{table} is empty"
    # a clean sample has nothing to quarantine: generator and staging agree on every rule
    assert (
        clean_build.query(
            "select quarantine_reason, count(*) from quality.dq_quarantined_rows group by 1"
        )
        == []
    )


def test_clean_build_revenue_is_complete(clean_build):
    """Every completed order line delivered reaches the fact with its revenue."""
    (raw_lines,) = clean_build.query("select count(*) from raw.erp__order_lines")[0]
    (fact_lines,) = clean_build.query("select count(*) from core.fct_order_lines")[0]
    assert fact_lines == raw_lines
    (revenue,) = clean_build.query(
        "select sum(revenue_cny) from core.fct_order_lines where is_completed"
    )[0]
    (orders_revenue,) = clean_build.query(
        "select sum(revenue_cny) from core.fct_orders where is_completed"
    )[0]
    assert revenue > 0
    assert abs(float(revenue) - float(orders_revenue)) < 0.01


def test_every_file_reconciles_with_defects(defects_build):
    unreconciled = defects_build.query(
        "select * from quality.dq_file_reconciliation where not is_reconciled"
    )
    assert unreconciled == []
    for entity in ENTITIES:
        (delivered,) = defects_build.query(f"select count(*) from raw.{entity.table}")[0]
        (accounted,) = defects_build.query(
            "select coalesce(sum(staged_rows + quarantined_rows + duplicate_rows), 0) "
            "from quality.dq_file_reconciliation where entity = ?",
            [entity.key],
        )[0]
        assert accounted == delivered, entity.key


def test_each_defect_kind_lands_in_quarantine_with_its_reason(defects_build):
    injected = defects_build.generator_summary()["defects"]
    reasons = [
        r
        for (r,) in defects_build.query("select quarantine_reason from quality.dq_quarantined_rows")
    ]
    for kind, expected in DEFECT_REASONS.items():
        assert sum(injected.get(kind, {}).values()) > 0, f"generator injected no {kind}"
        prefixes = expected if isinstance(expected, tuple) else (expected,)
        hits = [r for r in reasons if r.startswith(prefixes)]
        assert hits, f"no quarantined row for {kind} (expected reason {prefixes})"
    # quarantined rows keep the original values and never personal data
    sample = defects_build.query(
        "select original_values from quality.dq_quarantined_rows where entity = 'crm/contacts'"
    )
    for (values,) in sample:
        assert "phone" not in values and "email" not in values


def test_duplicates_and_resends_are_removed_not_lost(defects_build):
    injected = defects_build.generator_summary()["defects"]
    assert sum(injected["duplicate_row"].values()) + sum(injected["resent_rows"].values()) > 0
    (duplicates,) = defects_build.query(
        "select sum(duplicate_rows) from quality.dq_file_reconciliation"
    )[0]
    assert duplicates >= sum(injected["duplicate_row"].values())


def test_orphan_accounts_become_inferred_members(defects_build):
    (inferred,) = defects_build.query(
        "select count(*) from core.dim_accounts where not is_in_crm and account_id <> 'UNKNOWN'"
    )[0]
    assert inferred > 0
    (orphan_orders,) = defects_build.query(
        "select count(*) from core.fct_orders o join core.dim_accounts a using (account_id) "
        "where not a.is_in_crm"
    )[0]
    assert orphan_orders > 0


def test_every_dbt_unit_test_passes(defects_build):
    """Dagster runs skip the unit tests (their outcome does not depend on the data); the
    test suite's `dbt build` runs them all."""
    results = json.loads((defects_build.root / "build_run_results.json").read_text())["results"]
    unit = {r["unique_id"]: r["status"] for r in results if r["unique_id"].startswith("unit_test.")}
    assert len(unit) >= 20
    assert set(unit.values()) == {"pass"}, {k: v for k, v in unit.items() if v != "pass"}


def test_dagster_recorded_materializations_with_row_counts(clean_build):
    instance = DagsterInstance.from_config(str(clean_build.root / "dagster_home"))
    event = instance.get_latest_materialization_event(AssetKey(["core", "fct_order_lines"]))
    assert event is not None
    metadata = event.asset_materialization.metadata
    (rows,) = clean_build.query("select count(*) from core.fct_order_lines")[0]
    assert metadata["dagster/row_count"].value == rows
    assert {c.name for c in metadata["dagster/column_schema"].schema.columns} >= {
        "order_line_id",
        "revenue_cny",
    }
    partitions = instance.get_materialized_partitions(AssetKey(["raw", "erp", "orders"]))
    assert len(partitions) == 18  # months 2023-07 .. 2024-12
    assert "2024-12-01" in partitions


def test_reextracting_a_partition_is_idempotent(clean_build):
    settings = clean_build.settings
    snapshot = (
        "select count(*), sum(hash(order_id || coalesce(status, ''))) "
        "from raw.erp__orders where _partition_date between '2024-03-01' and '2024-03-31'"
    )
    before = clean_build.query(snapshot)
    for _ in range(2):
        result = materialize(
            [orders_asset()], partition_key="2024-03-01", resources=build_resources(settings)
        )
        assert result.success
    assert clean_build.query(snapshot) == before
    assert before[0][0] > 0


def test_missing_file_fails_the_partition_naming_the_path(clean_build):
    result = materialize(
        [orders_asset()],
        partition_key="2025-01-01",
        resources=build_resources(clean_build.settings),
        raise_on_error=False,
    )
    assert not result.success
    failure = next(e for e in result.all_events if e.is_step_failure)
    message = failure.step_failure_data.error.message
    assert "erp/orders/orders_2025-01-01.csv" in message
    assert "file_missing" in message
    assert "Traceback" not in message
