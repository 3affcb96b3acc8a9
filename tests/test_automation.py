"""Schedules, the landing sensor and failure alerts, evaluated against real files."""

from __future__ import annotations

import json
import os
import threading
from datetime import date, datetime
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import ClassVar
from zoneinfo import ZoneInfo

import pytest
from dagster import (
    DagsterInstance,
    build_schedule_context,
    build_sensor_context,
)

from ka_pipeline.alerts import RunAlert, send_alert
from ka_pipeline.defs.automation.schedules import build_nightly_schedule
from ka_pipeline.defs.automation.sensors import landing_files
from ka_pipeline.defs.resources import AlertLog, LandingArea
from ka_pipeline.landing.contract import ENTITIES_BY_KEY

ORDERS = ENTITIES_BY_KEY["erp/orders"]
LINES = ENTITIES_BY_KEY["erp/order_lines"]


def test_nightly_schedule_requests_yesterdays_month_in_business_timezone():
    nightly_build = build_nightly_schedule("Asia/Shanghai")
    at = datetime(2026, 3, 10, 2, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    request = nightly_build(build_schedule_context(scheduled_execution_time=at))
    assert request.partition_key == "2026-03-01"
    assert request.run_key == "nightly-2026-03-09"
    assert request.tags["ka/business_day"] == "2026-03-09"
    # on the first of a month the night still closes the previous month
    first = datetime(2026, 4, 1, 2, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    assert nightly_build(build_schedule_context(scheduled_execution_time=first)).partition_key == (
        "2026-03-01"
    )
    assert nightly_build.cron_schedule == "0 2 * * *"
    assert nightly_build.execution_timezone == "Asia/Shanghai"


@pytest.fixture
def landing(tmp_path) -> Path:
    return tmp_path / "landing"


def deliver(path: Path, text: str, mtime_ns: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    os.utime(path, ns=(mtime_ns, mtime_ns))


def evaluate(landing: Path, cursor: str | None):
    area = LandingArea(landing_dir=str(landing), timezone="Asia/Shanghai", mapping_file="-")
    with DagsterInstance.ephemeral() as instance:
        context = build_sensor_context(
            instance=instance, cursor=cursor, resources={"landing": area}
        )
        return landing_files(context)


def test_landing_sensor_requests_exactly_the_changed_months(landing):
    base = 1_700_000_000_000_000_000
    deliver(ORDERS.path_for(landing, date(2024, 3, 1)), "order_id\nO1\n", base)
    deliver(LINES.path_for(landing, date(2024, 3, 1)), "order_id\nO1\n", base)
    deliver(ORDERS.path_for(landing, date(2024, 3, 2)), "order_id\nO2\n", base + 1)
    deliver(ORDERS.path_for(landing, date(2024, 4, 30)), "order_id\nO3\n", base + 2)

    first = evaluate(landing, None)
    assert [r.partition_key for r in first.run_requests] == ["2024-03-01", "2024-04-01"]

    # nothing new: the sensor skips
    assert not getattr(evaluate(landing, first.cursor), "run_requests", None)

    # a corrected re-send for a past day: exactly that day, under a new run key
    deliver(ORDERS.path_for(landing, date(2024, 3, 1)), "order_id\nO1b\n", base + 10)
    resend = evaluate(landing, first.cursor)
    assert [r.partition_key for r in resend.run_requests] == ["2024-03-01"]
    assert resend.run_requests[0].tags["ka/changed_files"] == "1"
    assert resend.run_requests[0].run_key != first.run_requests[0].run_key

    # the same bytes re-delivered (touched) give the same run key: no duplicate run
    deliver(ORDERS.path_for(landing, date(2024, 3, 1)), "order_id\nO1b\n", base + 20)
    touched = evaluate(landing, resend.cursor)
    assert touched.run_requests[0].run_key == resend.run_requests[0].run_key


class _Recorder(BaseHTTPRequestHandler):
    received: ClassVar[list[dict]] = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        _Recorder.received.append(json.loads(body))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


def test_alert_writes_a_line_and_posts_the_webhook(tmp_path):
    server = HTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        alert = RunAlert(
            job="full_build",
            run_id="abc123",
            partition="2024-03-01",
            failed_steps=("raw_erp__orders",),
            error="erp/orders/orders_2024-03-01.csv: [file_missing] not delivered",
        )
        log = tmp_path / "logs" / "alerts.log"
        send_alert(alert, log, f"http://127.0.0.1:{server.server_port}/hook")
    finally:
        server.shutdown()
        thread.join(timeout=5)
    line = log.read_text(encoding="utf-8").strip()
    assert "RUN_FAILURE job=full_build partition=2024-03-01 steps=raw_erp__orders" in line
    assert "file_missing" in line
    assert _Recorder.received[-1]["run_id"] == "abc123"
    assert _Recorder.received[-1]["failed_steps"] == ["raw_erp__orders"]


def test_a_failed_dagster_run_produces_the_alert_line_and_a_webhook_call(tmp_path, monkeypatch):
    """A real failed run (a partitioned asset that raises) through the real failure sensor."""
    from dagster import (
        DailyPartitionsDefinition,
        Definitions,
        Failure,
        asset,
        build_run_status_sensor_context,
    )

    from ka_pipeline.defs.automation.run_failure_alerts import run_failure_alerts

    @asset(partitions_def=DailyPartitionsDefinition(start_date="2024-01-01"))
    def orders_extract():
        raise Failure(description="erp/orders/orders_2024-03-05.csv: [file_missing] not delivered")

    job = Definitions(assets=[orders_extract]).resolve_implicit_global_asset_job_def()
    server = HTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setenv("KA_ALERT_WEBHOOK_URL", f"http://127.0.0.1:{server.server_port}/hook")
    try:
        with DagsterInstance.ephemeral() as instance:
            result = job.execute_in_process(
                instance=instance, partition_key="2024-03-05", raise_on_error=False
            )
            assert not result.success
            context = build_run_status_sensor_context(
                sensor_name="run_failure_alerts",
                dagster_instance=instance,
                dagster_run=result.dagster_run,
                dagster_event=result.get_run_failure_event(),
            ).for_run_failure()
            run_failure_alerts(
                context, alert_log=AlertLog(path=str(tmp_path / "logs" / "alerts.log"))
            )
    finally:
        server.shutdown()
        thread.join(timeout=5)
    line = (tmp_path / "logs" / "alerts.log").read_text(encoding="utf-8").strip()
    assert f"job={result.dagster_run.job_name} partition=2024-03-05 steps=orders_extract" in line
    assert f"run_id={result.run_id}" in line and "file_missing" in line
    posted = _Recorder.received[-1]
    assert posted["run_id"] == result.run_id and posted["partition"] == "2024-03-05"
    assert posted["failed_steps"] == ["orders_extract"]
