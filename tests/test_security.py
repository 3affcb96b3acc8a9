"""Security basics: config values cannot reach SQL unchecked, secrets stay out of output."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import duckdb
import pytest

from ka_pipeline.alerts import RunAlert, send_alert, summarise_error
from ka_pipeline.defs.dbt.window import window_from_tags
from ka_pipeline.secrets import pii_salt, redact
from ka_pipeline.settings import DBT_PROJECT_DIR, ConfigError, Settings

INJECTION = "4GB'; drop table marts.mart_account_rfm; --"


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("KA_DUCKDB_MEMORY_LIMIT", INJECTION),
        ("KA_DUCKDB_THREADS", "2; drop table x"),
        ("KA_TIMEZONE", "Asia/Shanghai'; --"),
        ("KA_PARTITIONS_START", "2023-01-01' or 1=1"),
        ("KA_SERVING_KEEP_RELEASES", "0"),
    ],
)
def test_a_bad_setting_is_refused_naming_key_and_value(key, value):
    with pytest.raises(ConfigError) as raised:
        Settings.from_env({key: value})
    assert raised.value.key == key and str(raised.value.value) == value
    assert key in str(raised.value) and "must be" in str(raised.value)


def test_the_cli_reports_a_config_error_without_a_traceback(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "ka_pipeline.cli", "run"],
        env={"KA_DATA_DIR": str(tmp_path), "KA_DUCKDB_MEMORY_LIMIT": INJECTION, "PATH": ""},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2
    assert "KA_DUCKDB_MEMORY_LIMIT" in result.stderr and "Traceback" not in result.stderr


MALICIOUS_DBT_VARS = {
    "risk_no_purchase_min_days": "90; drop table core.dim_accounts",
    "as_of_date": "2026-06-30' or 1=1 --",
    "min_date": "2024-01-01); drop table raw.erp__orders; --",
}


def test_dbt_refuses_malicious_parameters_before_any_model_runs(tmp_path):
    warehouse = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(warehouse)) as conn:  # a table the injection would drop
        conn.execute("create schema core; create table core.dim_accounts as select 1 as id")
    result = subprocess.run(
        [str(Path(sys.executable).parent / "dbt"), "run", "--select", "mart_run_parameters",
         "--vars", json.dumps(MALICIOUS_DBT_VARS), "--project-dir", str(DBT_PROJECT_DIR),
         "--profiles-dir", str(DBT_PROJECT_DIR), "--target-path", str(tmp_path / "target"),
         "--log-path", str(tmp_path / "logs")],
        env={**Settings.from_env({"KA_DATA_DIR": str(tmp_path),
                                  "KA_WAREHOUSE_PATH": str(warehouse)}).dbt_env(), "PATH": ""},
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode != 0
    assert "Invalid dbt parameters" in result.stdout
    assert all(f"{name}=" in result.stdout for name in MALICIOUS_DBT_VARS)  # each named
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        schema_rows = conn.execute("select schema_name from duckdb_schemas()").fetchall()
        assert conn.execute("select count(*) from core.dim_accounts").fetchone()[0] == 1
    assert "marts" not in {r[0] for r in schema_rows}  # nothing ran


def test_the_pii_salt_comes_from_the_environment_or_a_private_file(tmp_path):
    with pytest.raises(ValueError, match="KA_PII_SALT is too short"):
        pii_salt(tmp_path, {"KA_PII_SALT": "abc"})
    assert pii_salt(tmp_path, {"KA_PII_SALT": "x" * 32}) == "x" * 32
    generated = pii_salt(tmp_path, {})
    assert len(generated) == 64 and pii_salt(tmp_path, {}) == generated  # stable
    secret_file = tmp_path / "secrets" / "pii_salt"
    assert secret_file.stat().st_mode & 0o077 == 0  # owner only


def test_secrets_are_redacted_from_alerts(tmp_path, monkeypatch):
    url = "https://hooks.example.com/services/T000/B000/very-secret-token"
    monkeypatch.setenv("KA_ALERT_WEBHOOK_URL", url)
    monkeypatch.setenv("WAREHOUSE_PASSWORD", "hunter2-hunter2")
    error = summarise_error(f"could not post to {url}; login with hunter2-hunter2 failed")
    assert url not in error and "hunter2" not in error and error.count("***") == 2
    assert redact("nothing secret here") == "nothing secret here"
    # a webhook that cannot be reached names its host, never the URL with its token
    alert = RunAlert("full_build", "r1", "-", ("step",), error)
    unreachable = "http://127.0.0.1:9/services/very-secret-token"
    with pytest.raises(RuntimeError) as raised:
        send_alert(alert, tmp_path / "alerts.log", unreachable)
    assert "very-secret-token" not in str(raised.value) and "127.0.0.1" in str(raised.value)
    assert "very-secret-token" not in (tmp_path / "alerts.log").read_text()


def test_the_dagster_ui_binds_to_localhost_only():
    from ka_pipeline.cli import build_parser

    makefile = (DBT_PROJECT_DIR.parent / "Makefile").read_text()
    dev = [
        line for line in makefile.splitlines() if line.startswith("\t") and "dev" in line.split()
    ]
    assert dev == ["\t$(BIN)/ka-pipeline dev"]  # no --host: the default below
    assert build_parser().parse_args(["dev"]).host == "127.0.0.1"


@pytest.mark.parametrize(
    "tags",
    [
        {"dagster/partition": "2024-03-01'; drop table core.fct_orders; --"},
        {
            "dagster/asset_partition_range_start": "2024-01-01",
            "dagster/asset_partition_range_end": "2024-02-01) or (1=1",
        },
        {"dagster/partition": "2024-03-01", "ka/business_day": "2024-03-05; --"},
    ],
)
def test_a_malicious_partition_key_never_reaches_dbt(tags):
    # the dbt window is made of parsed dates only: anything else stops the run, named
    with pytest.raises(ValueError, match=r"is not a date YYYY-MM-DD"):
        window_from_tags(tags, yesterday=date(2024, 12, 31))
