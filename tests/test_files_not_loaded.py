"""Misnamed deliveries are never skipped silently: every file in a mapped folder is loaded,
or listed as "not loaded" with the reason by check-mapping, the run summary and the
extraction asset's metadata. Real files, a real Dagster materialization, a real DuckDB."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from conftest import extract_assets, make_workspace
from dagster import AssetKey, materialize
from rich.text import Text

from ka_pipeline.defs.resources import build_resources
from ka_pipeline.landing.contract import ENTITIES_BY_KEY
from ka_pipeline.mapping import load_mapping
from ka_pipeline.mapping.check import check_mapping
from ka_pipeline.mapping.files import files_not_loaded
from ka_pipeline.runs.outcome import RunOutcome
from ka_pipeline.runs.summary import render_summary

ORDERS = ENTITIES_BY_KEY["erp/orders"]
DAY = date(2024, 3, 5)
GOOD = (
    "order_id,account_id,rep_id,order_date,channel,status\nO1,A1,R1,2024-03-05,direct,completed\n"
)
# name -> (rule, text the reason holds)
MISNAMED = {
    "orders_2024-02-30.csv": ("file_date", "'2024-02-30' is no business day"),
    "orders_2024-03-05_v2.csv": ("file_date", "'2024-03-05_v2' is no business day"),
    "orders_2024-03-05.CSV": ("file_name", "only upper / lower case differs"),
    "orders 2024-03-05.csv": ("file_name", "does not match erp/orders/orders_{date}.csv"),
}


NO_DELIVERIES = (".DS_Store", "_SUCCESS")  # never listed
MARCH = [date(2024, 3, day) for day in range(1, 32)]


@pytest.fixture
def workspace(tmp_path):
    """Orders for every day of March 2024 (the partition the asset extracts), and the
    misnamed files next to them."""
    ws = make_workspace(tmp_path)
    orders_dir = ORDERS.path_for(ws.settings.landing_dir, DAY).parent
    orders_dir.mkdir(parents=True)
    names = [ORDERS.path_for(ws.settings.landing_dir, day).name for day in MARCH]
    for name in (*names, *MISNAMED, *NO_DELIVERIES):
        (orders_dir / name).write_text(GOOD, encoding="utf-8")
    return ws


def _reasons(not_loaded, landing: Path) -> dict[str, tuple[str, str]]:
    return {f.path.relative_to(landing).as_posix(): (f.rule, f.reason) for f in not_loaded}


def test_every_misnamed_file_is_listed_with_its_rule_and_reason(workspace):
    landing = workspace.settings.landing_dir
    found = _reasons(files_not_loaded(load_mapping(), landing), landing)
    assert sorted(found) == sorted(f"erp/orders/{name}" for name in MISNAMED)
    for name, (rule, reason) in MISNAMED.items():
        assert found[f"erp/orders/{name}"][0] == rule
        assert reason in found[f"erp/orders/{name}"][1], found[f"erp/orders/{name}"]


def test_check_mapping_reports_every_file_not_loaded(workspace):
    result = check_mapping(load_mapping(), workspace.settings.landing_dir)
    reported = {p.file: p for p in result.problems if p.rule in ("file_date", "file_name")}
    assert sorted(reported) == sorted(f"erp/orders/{name}" for name in MISNAMED)
    assert all(p.detail.startswith("not loaded: ") for p in reported.values())
    orders = next(e for e in result.entities if e.key == "erp/orders")
    assert orders.files_matched == len(MARCH)  # the well-named ones, all checked


def test_the_run_summary_lists_the_files_not_loaded(workspace):
    outcome = RunOutcome(run_id="r1", success=True)
    lines = render_summary(workspace.settings, outcome, 1.0)
    text = "\n".join(Text.from_markup(line).plain for line in lines)  # as the terminal shows it
    assert f"Files not loaded: {len(MISNAMED)}" in text
    for name, (rule, _) in MISNAMED.items():
        assert f"erp/orders/{name}: not loaded: [{rule}]" in text


def test_the_extraction_metadata_lists_the_files_not_loaded(workspace):
    orders = next(
        a for a in extract_assets(workspace.settings) if a.key == AssetKey(["raw", "erp", "orders"])
    )
    workspace.settings.warehouse_path.parent.mkdir(parents=True, exist_ok=True)
    result = materialize(
        [orders], partition_key="2024-03-01", resources=build_resources(workspace.settings)
    )
    metadata = result.asset_materializations_for_node(orders.op.name)[0].metadata
    assert metadata["files_loaded"].value == len(MARCH)
    assert metadata["files_not_loaded"].value == len(MISNAMED)
    listed = metadata["not_loaded"].value
    for name in MISNAMED:
        assert f"erp/orders/{name}: not loaded:" in listed
