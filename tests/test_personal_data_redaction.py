"""The one redaction of personal data (ka_pipeline/personal_data.py and its SQL twin), and
the loader's refusal of symbolic links out of the landing folder.

Fast tests on real DuckDB connections and real files; the end-to-end value scans are in
tests/test_personal_data.py and the defect corpus (cases 54-59)."""

from __future__ import annotations

import re
from datetime import date

import duckdb
import pytest

from ka_pipeline.alerts import summarise_error
from ka_pipeline.extract.errors import LandingFileError
from ka_pipeline.extract.loader import Delivery, ensure_raw_table, load_deliveries
from ka_pipeline.landing.contract import ENTITIES_BY_KEY
from ka_pipeline.personal_data import (
    EMAIL_PATTERN,
    PERSONAL_DATA_COLUMNS,
    PHONE_PATTERN,
    REDACTED,
    SAFE_TOKEN_PATTERN,
    is_safe_token,
    redact_text,
    redact_value,
)
from ka_pipeline.settings import DBT_PROJECT_DIR

MACROS = DBT_PROJECT_DIR / "macros" / "staging"
CONTACTS = ENTITIES_BY_KEY["crm/contacts"]
ORDERS = ENTITIES_BY_KEY["erp/orders"]

PERSONAL = [
    "13912345678",
    "+86 139 1234 5678",
    "139-1234-5678",
    "010-12345678",
    "0755 1234 5678",
    "li.ling@example.com",
    "Zhao.Qiang+crm@mail.example.com.cn",
]
NOT_PERSONAL = ["A000014", "D54-1", "2024-09-01 08:00:00", "1234.50", "-3", "decision_maker"]


@pytest.mark.parametrize("value", PERSONAL)
def test_emails_and_phones_are_redacted_inside_any_text(value):
    assert redact_text(f"请回电 {value}, 谢谢") == f"请回电 {REDACTED}, 谢谢"
    assert not is_safe_token(value)


@pytest.mark.parametrize("value", NOT_PERSONAL)
def test_codes_ids_dates_and_numbers_are_kept(value):
    assert redact_text(value) == value
    assert is_safe_token(value)
    assert redact_value(value, personal_entity=True) == value


def test_a_longer_number_is_not_a_phone_but_free_text_of_a_personal_entity_is_hidden():
    assert redact_text("order 12345678901234") == "order 12345678901234"
    assert redact_value("李玲", personal_entity=True) == REDACTED
    assert redact_value("李玲", personal_entity=False) == "李玲"
    assert redact_value(42, personal_entity=True) == 42


def test_the_sql_redaction_uses_the_same_patterns_and_columns():
    macro = (MACROS / "personal_data.sql").read_text(encoding="utf-8")
    flat = re.sub(r"'\s*~\s*'", "", macro)  # the macro splits the phone pattern in two
    for pattern in (EMAIL_PATTERN, PHONE_PATTERN, SAFE_TOKEN_PATTERN):
        assert f"'{pattern}'" in flat
        assert "\\" not in pattern  # reads the same in every engine's string literal
    entities = (MACROS / "entities.sql").read_text(encoding="utf-8")
    for key, columns in PERSONAL_DATA_COLUMNS.items():
        listed = re.search(rf"'{key.replace('/', '.')}': \[([^\]]*)\]", entities)
        assert listed and set(re.findall(r"'(\w+)'", listed.group(1))) == columns


@pytest.mark.parametrize("value", [*PERSONAL, *NOT_PERSONAL, "李玲 13912345678 x"])
def test_duckdb_redacts_at_least_what_python_redacts(value):
    """The quarantine record's SQL (no look-arounds) redacts the same, or more."""
    with duckdb.connect() as conn:
        (sql,) = conn.execute(
            "select regexp_replace(regexp_replace(?, ?, ?, 'g'), ?, ?, 'g')",
            [value, EMAIL_PATTERN, REDACTED, PHONE_PATTERN, REDACTED],
        ).fetchone()
        (safe,) = conn.execute(
            "select regexp_full_match(?, ?)", [value, SAFE_TOKEN_PATTERN]
        ).fetchone()
    assert sql == redact_text(value)
    assert safe == bool(re.fullmatch(SAFE_TOKEN_PATTERN, value))


def test_load_errors_and_alerts_never_quote_personal_data(tmp_path):
    landing = tmp_path / "landing"
    path = CONTACTS.path_for(landing, date(2024, 9, 1))
    path.parent.mkdir(parents=True)
    path.write_text("D1,A001,孙晓燕,决策者,13600005454,sun.xy@example.cn,2024-09-01 08:00:00\n")
    with duckdb.connect(str(tmp_path / "w.duckdb")) as conn, pytest.raises(LandingFileError) as c:
        load_deliveries(conn, CONTACTS, [Delivery(path, date(2024, 9, 1))], landing)
    caught = c
    message = str(caught.value)
    assert "[required_columns]" in message and path.name in message
    for value in ("孙晓燕", "13600005454", "sun.xy@example.cn"):
        assert value not in message
    assert "'D1'" in message and "'A001'" in message  # plain codes still help
    assert summarise_error("failed for wang@example.cn, 13800001111") == (
        f"failed for {REDACTED}, {REDACTED}"
    )


def test_a_symbolic_link_out_of_the_landing_is_refused_without_reading_it(tmp_path):
    landing, outside = tmp_path / "landing", tmp_path / "outside"
    outside.mkdir()
    secret = outside / "passwd"
    secret.write_text("root:x:0:0:root:/root:/bin/bash\n")
    day = date(2024, 9, 4)
    path = ORDERS.path_for(landing, day)
    path.parent.mkdir(parents=True)
    path.symlink_to(secret)
    with duckdb.connect(str(tmp_path / "w.duckdb")) as conn:
        ensure_raw_table(conn, ORDERS)
        with pytest.raises(LandingFileError) as caught:
            load_deliveries(conn, ORDERS, [Delivery(path, day)], landing)
        assert conn.execute(f"select count(*) from raw.{ORDERS.table}").fetchone() == (0,)
    message = str(caught.value)
    assert caught.value.rule == "link_outside_landing" and str(path) in message
    assert "root:x" not in message and "passwd" not in message.replace(str(path), "")


def test_a_symbolic_link_inside_the_landing_is_followed(tmp_path):
    landing = tmp_path / "landing"
    day = date(2024, 9, 4)
    path = ORDERS.path_for(landing, day)
    path.parent.mkdir(parents=True)
    real = landing / "archive" / "orders.csv"
    real.parent.mkdir()
    real.write_text(
        "order_id,account_id,rep_id,order_date,channel,status\n"
        "O1,A001,R001,2024-09-04,online,completed\n"
    )
    path.symlink_to(real)
    with duckdb.connect(str(tmp_path / "w.duckdb")) as conn:
        result = load_deliveries(conn, ORDERS, [Delivery(path, day)], landing)
    assert result.rows == 1
    assert result.files[0].source_file == "archive/orders.csv"
