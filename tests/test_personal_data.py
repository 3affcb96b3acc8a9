"""Personal data (contact names, phones, e-mails) never leaves raw / staging.

Scans every warehouse table outside raw and staging, every report file, every published
serving file, every delivered message and every Dagster event of the clean build for the
generated contacts' names, phone numbers and e-mail addresses.
"""

from __future__ import annotations

import hashlib
import json
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from threading import Thread

import duckdb
import pytest
from conftest import SAMPLE_END, Workspace, copy_build
from dagster import (
    DagsterInstance,
    DagsterRunStatus,
    RunsFilter,
    build_run_status_sensor_context,
)
from dagster._serdes import serialize_value
from openpyxl import load_workbook

from ka_pipeline.defs.automation.run_failure_alerts import run_failure_alerts
from ka_pipeline.defs.resources import AlertLog
from ka_pipeline.delivery import ReportFiles
from ka_pipeline.delivery.email import build_message
from ka_pipeline.delivery.webhooks import PAYLOADS
from ka_pipeline.landing.contract import ENTITIES_BY_KEY
from ka_pipeline.runs.report import latest_report_week
from ka_pipeline.secrets import pii_salt

UPSTREAM_SCHEMAS = ("raw", "staging")
# two-character names (李玲) also occur inside ordinary Chinese text, so free text is
# searched for the longer names only; table cells are compared whole for every name
MIN_NAME_IN_TEXT = 3


@pytest.fixture(scope="module")
def personal_data(clean_build) -> dict[str, set[str]]:
    rows = clean_build.query("select contact_name, phone, email from raw.crm__contacts")
    # sales reps are employees whose names the marts show as owners; a contact who happens
    # to share a rep's name (a common Chinese name) is indistinguishable, so not searched
    reps = {r[0] for r in clean_build.query("select rep_name from raw.crm__sales_reps")}
    values = {
        "name": {r[0] for r in rows if r[0]} - reps,
        "phone": {r[1] for r in rows if r[1]},
        "email": {r[2] for r in rows if r[2]},
    }
    assert all(len(v) > 100 for v in values.values()), "the sample has too few contacts"
    return values


def _in_text(text: str, personal_data: dict[str, set[str]]) -> list[str]:
    """The personal values found anywhere in a free text."""
    needles = (
        personal_data["phone"]
        | personal_data["email"]
        | {n for n in personal_data["name"] if len(n) >= MIN_NAME_IN_TEXT}
    )
    return sorted(needle for needle in needles if needle in text)


def _in_cells(cells: set[str], personal_data: dict[str, set[str]]) -> list[str]:
    everything = set().union(*personal_data.values())
    return sorted(cells & everything)


def test_contacts_carry_only_a_salted_hash_key(clean_build, personal_data):
    keys = clean_build.query(
        "select count(*), count(distinct contact_hash_key) from core.dim_contacts"
    )[0]
    assert keys[0] > 0 and keys[1] > 0.9 * keys[0]
    hashed = {r[0] for r in clean_build.query("select contact_hash_key from core.dim_contacts")}
    # not an unsalted hash of any address: the salt comes from the environment / secrets file
    unsalted = {
        r[0]
        for r in clean_build.query(
            "select sha256(lower(email)) from raw.crm__contacts where email is not null"
        )
    }
    assert not hashed & unsalted


def test_no_personal_data_in_warehouse_tables_outside_raw_and_staging(clean_build, personal_data):
    found = {}
    with duckdb.connect(str(clean_build.settings.warehouse_path), read_only=True) as conn:
        columns = conn.execute(
            "select table_schema, table_name, column_name from information_schema.columns "
            "where data_type = 'VARCHAR' and table_schema not in ('raw', 'staging') "
            "and table_catalog = current_database()"
        ).fetchall()
        assert {c[0] for c in columns} >= {"core", "marts", "quality"}
        for schema, table, column in columns:
            values = {
                r[0]
                for r in conn.execute(
                    f'select distinct "{column}" from "{schema}"."{table}" '
                    f'where "{column}" is not null'
                ).fetchall()
            }
            hits = _in_cells(values, personal_data) or _in_text("\n".join(values), personal_data)
            if hits:
                found[f"{schema}.{table}.{column}"] = hits[:3]
    assert not found, f"personal data outside raw/staging: {found}"


def test_no_personal_data_in_reports(clean_build, personal_data):
    reports = clean_build.settings.output_dir / "reports"
    files = [p for p in reports.rglob("*") if p.suffix in (".html", ".md", ".xlsx")]
    assert any(p.suffix == ".xlsx" for p in files) and any(p.suffix == ".html" for p in files)
    found = {}
    for path in files:
        if path.suffix == ".xlsx":
            workbook = load_workbook(path, read_only=True)
            cells = {
                str(value)
                for sheet in workbook.worksheets
                for row in sheet.iter_rows(values_only=True)
                for value in row
                if value is not None
            }
            workbook.close()
            hits = _in_cells(cells, personal_data) or _in_text("\n".join(cells), personal_data)
        else:
            hits = _in_text(path.read_text(encoding="utf-8"), personal_data)
        if hits:
            found[str(path)] = hits[:3]
    assert not found, f"personal data in report files: {found}"


def test_no_personal_data_in_published_releases(clean_build, personal_data):
    serving = clean_build.settings.output_dir / "serving"
    parquet = sorted(serving.rglob("*.parquet"))
    assert parquet, f"the clean build published no BI release in {serving}"
    found = {}
    with duckdb.connect() as conn:
        for path in parquet:
            relation = conn.read_parquet(str(path))
            for column, dtype in zip(relation.columns, relation.dtypes, strict=True):
                if str(dtype) != "VARCHAR":
                    continue
                values = {r[0] for r in relation.select(f'"{column}"').distinct().fetchall()}
                values.discard(None)
                if hits := _in_cells(values, personal_data):
                    found[f"{path.name}.{column}"] = hits[:3]
    for path in serving.rglob("*.json"):
        if hits := _in_text(path.read_text(encoding="utf-8"), personal_data):
            found[str(path)] = hits[:3]
    assert not found, f"personal data in the serving area: {found}"


def test_no_personal_data_in_dagster_events(clean_build, personal_data):
    home = Path(clean_build.env["DAGSTER_HOME"])
    with DagsterInstance.from_config(str(home)) as instance:
        runs = instance.get_runs()
        assert runs, "the clean build recorded no Dagster run"
        text = "\n".join(
            serialize_value(record) for run in runs for record in instance.all_logs(run.run_id)
        )
    # serialized JSON escapes non-ASCII: compare on the same encoding
    escaped = {k: {json.dumps(v)[1:-1] for v in vs} for k, vs in personal_data.items()}
    assert len(text) > 100_000
    assert not _in_text(text, escaped), "personal data in Dagster event metadata / logs"


def test_no_personal_data_in_delivered_messages(clean_build, personal_data):
    """The e-mail and every bot payload built from the clean build's latest report."""
    week = latest_report_week(clean_build.settings).label
    folder = clean_build.settings.output_dir / "reports" / week / "zh"
    files = ReportFiles(
        week,
        "zh",
        folder / "report.html",
        folder / "key_account_review.xlsx",
        folder / "summary.md",
    )
    link = files.link("https://reports.example.com")
    mail = build_message(files, "reports@example.com", ["leads@example.com"], link)
    texts = [part.get_content() for part in mail.walk() if part.get_content_maintype() == "text"]
    texts += [
        json.dumps(payload(files.title, files.summary_text(), link), ensure_ascii=False)
        for payload in PAYLOADS.values()
    ]
    found = [hit for text in texts for hit in _in_text(text, personal_data)]
    assert not found, f"personal data in delivered messages: {found[:3]}"


# ---- a hostile contacts delivery, end to end ------------------------------------------
# One day of the clean build re-run with a contacts file whose rows are mis-shaped (a short
# row shifts name, phone and e-mail into other columns; a source keyed by e-mail), then
# with the same day's file delivered without its header (the load fails). Every place a
# value can go is scanned: the warehouse outside raw / staging, the outputs, every file of
# the Dagster instance (event log, compute logs), the CLI's output, alerts.log and the
# alert webhook's body.

HOSTILE = ["欧阳娜娜", "13712345678", "ouyang.nana@example.cn", "hostile.id@example.cn"]
HEADERLESS = ["司马相如", "13698765432", "sima.xiangru@example.cn"]


def _found(text: str, values: list[str]) -> list[str]:
    forms = {v: (v, json.dumps(v)[1:-1]) for v in values}  # as written, and JSON-escaped
    return sorted(v for v, both in forms.items() if any(form in text for form in both))


def _tree_text(folder: Path) -> str:
    return "\n".join(
        p.read_bytes().decode("utf-8", errors="replace") for p in folder.rglob("*") if p.is_file()
    )


class _Webhook(BaseHTTPRequestHandler):
    bodies: list[str] = []  # noqa: RUF012 - the server makes one handler per request

    def do_POST(self):
        length = int(self.headers["Content-Length"])
        _Webhook.bodies.append(self.rfile.read(length).decode("utf-8"))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def hostile_runs(clean_build, tmp_path_factory):
    ws = Workspace(tmp_path_factory.mktemp("hostile"))
    copy_build(clean_build, ws.root)
    day = SAMPLE_END.isoformat()
    contacts = ENTITIES_BY_KEY["crm/contacts"].path_for(ws.settings.landing_dir, SAMPLE_END)
    contacts.parent.mkdir(parents=True, exist_ok=True)
    at = f"{day} 09:00:00"
    contacts.write_text(
        "contact_id,account_id,contact_name,role,phone,email,updated_at\n"
        f"hostile.id@example.cn,A000001,王小明,决策者,13811112222,hostile.id@example.cn,{at}\n"
        f"C-HOSTILE-2,A000001,决策者,13712345678,ouyang.nana@example.cn,{at}\n"
        f"A000001,欧阳娜娜,影响者,13712345678,ouyang.nana@example.cn,{at}\n",
        encoding="utf-8",
    )
    args = ("run", "--start", day, "--end", day, "--no-report")
    mis_shaped = ws.cli(*args, check=False)
    contacts.write_text(
        f"C-HOSTILE-3,A000001,司马相如,决策者,13698765432,sima.xiangru@example.cn,{at}\n",
        encoding="utf-8",
    )
    headerless = ws.cli(*args, check=False)
    # the run-failure sensor of the daemon, on the failed run: alerts.log and the webhook
    server = HTTPServer(("127.0.0.1", 0), _Webhook)
    thread = Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with DagsterInstance.from_config(str(ws.settings.dagster_home)) as instance:
            (failed,) = instance.get_runs(RunsFilter(statuses=[DagsterRunStatus.FAILURE]), limit=1)
            failure = next(
                e.dagster_event
                for e in instance.all_logs(failed.run_id)
                if e.dagster_event and e.dagster_event.event_type_value == "PIPELINE_FAILURE"
            )
            context = build_run_status_sensor_context(
                sensor_name="run_failure_alerts",
                dagster_instance=instance,
                dagster_run=failed,
                dagster_event=failure,
            ).for_run_failure()
            with pytest.MonkeyPatch.context() as env:
                env.setenv("KA_ALERT_WEBHOOK_URL", f"http://127.0.0.1:{server.server_port}/h")
                run_failure_alerts(context, alert_log=AlertLog(path=str(ws.settings.alerts_log)))
    finally:
        server.shutdown()
        thread.join(timeout=5)
    return ws, mis_shaped, headerless, "\n".join(_Webhook.bodies)


def test_a_hostile_contacts_delivery_leaks_no_personal_data(hostile_runs):
    ws, mis_shaped, headerless, webhook = hostile_runs
    values = HOSTILE + HEADERLESS
    output = mis_shaped.stdout + mis_shaped.stderr + headerless.stdout + headerless.stderr
    assert "Traceback" not in output
    # the mis-shaped file was built, so the scans below read its outcome, not the clean one
    assert mis_shaped.returncode == 0, (mis_shaped.stdout + mis_shaped.stderr)[-3000:]
    assert headerless.returncode == 1 and "[required_columns]" in output, output[-3000:]
    assert "(personal data)" in output  # the header it shows is the redacted first row
    alerts = ws.settings.alerts_log.read_text(encoding="utf-8")
    assert "required_columns" in alerts and "required_columns" in webhook
    found = {
        "cli output": _found(output, values),
        "alerts.log": _found(alerts, values),
        "webhook": _found(webhook, values),
        "dagster instance (event log, compute logs)": _found(
            _tree_text(ws.settings.dagster_home), values
        ),
        "outputs": _found(_tree_text(ws.settings.output_dir), values),
        "dbt artefacts": _found(_tree_text(ws.settings.dbt_runs_dir), values),
    }
    assert any(ws.settings.dbt_runs_dir.rglob("run_results.json"))  # the runs' dbt wrote there
    # the e-mail used as contact_id reaches core as its salted hash only
    salt = pii_salt(ws.settings.data_dir, ws.env)
    hashed = hashlib.sha256(f"{salt}hostile.id@example.cn".encode()).hexdigest()
    with duckdb.connect(str(ws.settings.warehouse_path), read_only=True) as conn:
        (raw_hits,) = conn.execute(
            "select count(*) from raw.crm__contacts where contact_id = 'hostile.id@example.cn'"
        ).fetchone()
        (hashed_hits,) = conn.execute(
            "select count(*) from core.dim_contacts where contact_id = ?", [hashed]
        ).fetchone()
        found["warehouse"] = [
            f"{schema}.{table}.{column}"
            for schema, table, column in conn.execute(
                "select table_schema, table_name, column_name from information_schema.columns "
                "where data_type = 'VARCHAR' and table_schema not in ('raw', 'staging') "
                "and table_catalog = current_database()"
            ).fetchall()
            if _found(
                "\n".join(
                    str(r[0])
                    for r in conn.execute(
                        f'select distinct "{column}" from {schema}.{table}'
                    ).fetchall()
                ),
                values,
            )
        ]
    assert raw_hits == 1  # the mis-shaped file was delivered and kept as delivered in raw
    assert hashed_hits == 1 and len(hashed) == 64
    assert not any(found.values()), found
