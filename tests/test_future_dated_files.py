"""A landing file named for a day after today: named as the cause, once, before anything is
extracted (the CLI), and reported by the extraction step that skips it (Dagster UI and
schedule runs), never hidden behind hundreds of "file not delivered" errors."""

from __future__ import annotations

import shutil
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from conftest import Workspace, extract_assets, make_workspace
from dagster import AssetKey, DagsterInstance, materialize
from test_cli import TINY, assert_one_clear_line

from ka_pipeline.cli.errors import EXIT_USAGE
from ka_pipeline.defs.resources import build_resources
from ka_pipeline.landing.contract import ENTITIES_BY_KEY

FIRST_DAY = date(2024, 3, 1)


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> Workspace:
    ws = make_workspace(tmp_path_factory.mktemp("future_sample"))
    ws.cli("generate", "--start", "2024-03-01", "--end", "2024-03-31", *TINY)
    return ws


def with_future_file(sample: Workspace, root, entity_key: str, days_ahead: int):
    """A copy of the sample whose `entity_key` also has a file named `days_ahead` days after
    today in the business timezone (a copy of its first file)."""
    ws = make_workspace(root)
    shutil.copytree(sample.settings.landing_dir, ws.settings.landing_dir)
    today = datetime.now(ZoneInfo(ws.settings.timezone)).date()
    entity = ENTITIES_BY_KEY[entity_key]
    future = today + timedelta(days=days_ahead)
    stray = entity.path_for(ws.settings.landing_dir, future)
    shutil.copy(entity.path_for(ws.settings.landing_dir, FIRST_DAY), stray)
    return ws, stray, future, today


@pytest.mark.parametrize(
    ("entity_key", "days_ahead"),
    [("erp/orders", 2), ("feedback/surveys", 2), ("crm/activities", 400)],
)
def test_the_cli_names_the_future_file_before_extracting(sample, tmp_path, entity_key, days_ahead):
    """Also a day later in the current month, and a file of an entity other than the orders
    (whose days alone set the run's range): both escaped the month-level range check."""
    ws, stray, future, today = with_future_file(sample, tmp_path / "ws", entity_key, days_ahead)
    result = ws.cli("run", check=False)
    assert_one_clear_line(
        result, EXIT_USAGE, str(stray), f"({future})", f"future (today is {today} in Asia/Shanghai)"
    )
    assert "not delivered" not in result.stdout + result.stderr
    assert not ws.settings.warehouse_path.exists(), "nothing was extracted"
    check = ws.cli("check-mapping", check=False)
    assert check.returncode == 1 and str(stray) in check.stdout


def test_an_extraction_step_reports_the_future_file_it_does_not_load(sample, tmp_path):
    ws, stray, future, _ = with_future_file(sample, tmp_path / "ws", "feedback/surveys", 2)
    surveys = AssetKey(["raw", "feedback", "surveys"])
    asset = next(a for a in extract_assets(ws.settings) if a.key == surveys)
    with DagsterInstance.ephemeral() as instance:
        result = materialize(
            [asset],
            resources=build_resources(ws.settings),
            partition_key=FIRST_DAY.isoformat(),
            instance=instance,
        )
        (event,) = result.asset_materializations_for_node(asset.node_def.name)
    assert result.success
    note = event.metadata["future_dated_files"].value
    assert str(stray) in note and str(future) in note
