"""A changed PII salt is never silent: the warehouse keeps a fingerprint of the salt (never
the salt); another salt stops the run with exit code 2 before anything is extracted,
unless `--rotate-pii-salt` says so, and then the changed contact keys are counted.

Real DuckDB files and one real rotation run on a copy of the clean build; the CLI's
preflight on a tiny sample is in tests/test_cli.py."""

from __future__ import annotations

import duckdb
import pytest
from conftest import SAMPLE_END, Workspace, copy_build, make_workspace
from dagster import DagsterInstance, materialize

from ka_pipeline.cli.errors import EXIT_USAGE
from ka_pipeline.defs.dbt.assets import dbt_warehouse
from ka_pipeline.defs.resources import build_resources
from ka_pipeline.salt_fingerprint import (
    HISTORY_TABLE,
    PiiSaltChangedError,
    check_salt,
    count_changed_keys,
    record_salt,
    salt_fingerprint,
)
from ka_pipeline.secrets import pii_salt

SALT_A, SALT_B = "a" * 32, "b" * 32


def test_the_fingerprint_identifies_the_salt_without_holding_it():
    assert salt_fingerprint(SALT_A) == salt_fingerprint(SALT_A) != salt_fingerprint(SALT_B)
    assert SALT_A not in salt_fingerprint(SALT_A) and len(salt_fingerprint(SALT_A)) == 32


def test_a_changed_salt_fails_unless_rotated_and_the_changed_keys_are_counted(tmp_path):
    with duckdb.connect(str(tmp_path / "w.duckdb")) as conn:
        assert check_salt(conn, SALT_A, rotate=False) is None  # a new warehouse: no salt yet
        record_salt(conn, SALT_A, None)
        assert check_salt(conn, SALT_A, rotate=False) is None
        with pytest.raises(PiiSaltChangedError, match=r"\[pii_salt_changed\].*--rotate-pii-salt"):
            check_salt(conn, SALT_B, rotate=False)
        conn.execute("create schema core")
        conn.execute(
            "create table core.dim_contacts as select * from "
            "(values ('C1', sha256('a1')), ('C2', sha256('a2'))) t(contact_id, contact_hash_key)"
        )
        previous = check_salt(conn, SALT_B, rotate=True)
        assert previous == salt_fingerprint(SALT_A)
        record_salt(conn, SALT_B, previous)
        conn.execute(
            "update core.dim_contacts set contact_hash_key = sha256('b1') where contact_id = 'C1'"
        )
        assert count_changed_keys(conn) == 1
        history = conn.execute(
            f"select fingerprint, rotated_from, changed_contact_keys from {HISTORY_TABLE} "
            "order by recorded_at"
        ).fetchall()
        text = str(history)
    assert [h[0] for h in history] == [salt_fingerprint(SALT_A), salt_fingerprint(SALT_B)]
    assert history[1][1:] == (salt_fingerprint(SALT_A), 1)
    assert SALT_A not in text and SALT_B not in text


def assert_refused(result) -> None:
    """Exit code 2 and the one line naming the rule, before any step ran."""
    assert result.returncode == EXIT_USAGE, result.stdout + result.stderr
    assert "[pii_salt_changed]" in result.stderr and "Traceback" not in result.stderr
    assert "Building the warehouse" not in result.stdout


def test_a_rotation_run_counts_every_changed_contact_key(clean_build, tmp_path):
    ws = Workspace(tmp_path)
    copy_build(clean_build, ws.root)
    previous = salt_fingerprint(pii_salt(ws.settings.data_dir))
    with duckdb.connect(str(ws.settings.warehouse_path), read_only=True) as conn:
        assert conn.execute(f"select fingerprint from {HISTORY_TABLE}").fetchall() == [
            (previous,)
        ]  # the clean build recorded its salt
        (contacts,) = conn.execute("select count(*) from core.dim_contacts").fetchone()
    day = SAMPLE_END.isoformat()
    args = ("run", "--start", day, "--end", day, "--no-report")
    refused = ws.cli(*args, env={"KA_PII_SALT": SALT_B}, check=False)
    assert_refused(refused)
    rotated = ws.cli(*args, "--rotate-pii-salt", env={"KA_PII_SALT": SALT_B})
    assert f"contact_hash_key(s) {contacts:,} changed" in rotated.stdout, rotated.stdout
    with duckdb.connect(str(ws.settings.warehouse_path), read_only=True) as conn:
        history = conn.execute(
            f"select fingerprint, rotated_from, changed_contact_keys from {HISTORY_TABLE} "
            "order by recorded_at"
        ).fetchall()
    assert history[-1] == (salt_fingerprint(SALT_B), previous, contacts)
    # the new salt is now the warehouse's: the next run needs no flag, the old salt is refused
    again = ws.cli(*args[:-1], "--check", env={"KA_PII_SALT": SALT_B}, check=False)
    assert again.returncode == 0, again.stderr
    old = ws.cli(*args, check=False)
    assert_refused(old)


def test_a_dagster_launched_build_stops_on_a_changed_salt(tmp_path, monkeypatch):
    """A schedule's or the UI's run has no CLI preflight: the dbt step itself fails, naming
    the rule and never the salt, before dbt starts."""
    settings = make_workspace(tmp_path).settings
    settings.warehouse_path.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(settings.warehouse_path)) as conn:
        record_salt(conn, SALT_A, None)
    monkeypatch.setenv("KA_PII_SALT", SALT_B)  # where dbt's plugin and the step read it
    with DagsterInstance.ephemeral() as instance:
        result = materialize(
            [dbt_warehouse],
            resources=build_resources(settings),
            instance=instance,
            raise_on_error=False,
        )
    assert not result.success
    (failure,) = [e for e in result.all_events if e.event_type_value == "STEP_FAILURE"]
    message = failure.step_failure_data.user_failure_data.description
    assert "[pii_salt_changed]" in message and "rotate_pii_salt" in message, message
    assert SALT_A not in message and SALT_B not in message
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as conn:
        history = conn.execute(f"select fingerprint from {HISTORY_TABLE}").fetchall()
        schemas = conn.execute("select schema_name from duckdb_schemas()").fetchall()
    assert history == [(salt_fingerprint(SALT_A),)]  # the new salt was not recorded
    assert ("staging",) not in schemas  # dbt never ran
