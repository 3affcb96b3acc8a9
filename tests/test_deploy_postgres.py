"""The deployment's instance config (deploy/dagster.yaml) on a real PostgreSQL 15 server
started by the test: a full build and the weekly report leave their runs, events and asset
check evaluations in PostgreSQL, and nothing in SQLite files."""

from __future__ import annotations

import shutil

import pytest
from conftest import make_workspace
from dagster import DagsterEventType
from servers.postgres import postgres_server

from ka_pipeline.settings import REPO_ROOT

pytestmark = pytest.mark.postgres


def test_a_build_and_its_report_are_recorded_in_postgres(tmp_path):
    ws = make_workspace(tmp_path)
    home = ws.root / "dagster_home"
    shutil.copy(REPO_ROOT / "deploy" / "dagster.yaml", home / "dagster.yaml")
    ws.cli("generate", "--start", "2024-10-01", "--end", "2024-12-31", "--scale", "0.1")
    with postgres_server() as pg:
        ws.cli("run", env=pg.env)
        runs = dict(pg.query("select pipeline_name, status from runs"))
        events = dict(
            pg.query(
                "select dagster_event_type, count(*) from event_logs"
                " where dagster_event_type is not null group by 1"
            )
        )
        checks = dict(
            pg.query("select execution_status, count(*) from asset_check_executions group by 1")
        )
        materialized = {row[0] for row in pg.query("select asset_key from asset_keys")}
    assert runs == {"full_build": "SUCCESS", "weekly_report": "SUCCESS"}
    assert events[DagsterEventType.RUN_SUCCESS.value] == 2
    assert events[DagsterEventType.ASSET_MATERIALIZATION.value] > 0
    assert events[DagsterEventType.ASSET_CHECK_EVALUATION.value] > 0 and checks["SUCCEEDED"] > 0
    assert '["reports", "weekly_report"]' in materialized
    assert '["reports", "weekly_report_delivery"]' in materialized
    assert not list(home.rglob("*.db"))  # no SQLite storage next to the config
