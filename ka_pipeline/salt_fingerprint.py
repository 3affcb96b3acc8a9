"""The warehouse remembers which PII salt keyed its contacts, so a changed salt is never silent.

`core.dim_contacts.contact_hash_key` is a salted hash (ka_pipeline/secrets.py): a different
`KA_PII_SALT` (or an unset one, which falls back to the generated salt file) changes every
key, and whatever matched contacts by key breaks. Each build stores a fingerprint of its
salt in `raw._pii_salt_history`: a slow salted hash (PBKDF2), never the salt. A build whose
salt has another fingerprint stops, unless the rotation is explicit (`--rotate-pii-salt`,
run config `rotate_pii_salt`); a rotation records how many contact keys changed.
"""

from __future__ import annotations

import hashlib

import duckdb

from ka_pipeline.secrets import PII_SALT_ENV

HISTORY_TABLE = "raw._pii_salt_history"
KEYS_BEFORE_TABLE = "raw._contact_keys_before_rotation"
CONTACTS_TABLE = "core.dim_contacts"
_FINGERPRINT_SALT = b"ka-pipeline pii salt fingerprint"
_ITERATIONS = 200_000


class PiiSaltChangedError(ValueError):
    """The salt differs from the one the warehouse was built with, and no rotation was asked."""


def salt_fingerprint(salt: str) -> str:
    """A fingerprint that identifies the salt without revealing it (PBKDF2-SHA256)."""
    digest = hashlib.pbkdf2_hmac("sha256", salt.encode(), _FINGERPRINT_SALT, _ITERATIONS)
    return digest.hex()[:32]


def stored_fingerprint(conn: duckdb.DuckDBPyConnection) -> str | None:
    if not _exists(conn, HISTORY_TABLE):
        return None
    row = conn.execute(
        f"select fingerprint from {HISTORY_TABLE} order by recorded_at desc limit 1"
    ).fetchone()
    return row[0] if row else None


def check_salt(conn: duckdb.DuckDBPyConnection, salt: str, *, rotate: bool) -> str | None:
    """None when the salt is the warehouse's (or the warehouse has none yet); the previous
    fingerprint when `rotate` allows a change; else PiiSaltChangedError."""
    stored = stored_fingerprint(conn)
    if stored is None or stored == salt_fingerprint(salt):
        return None
    if rotate:
        return stored
    raise PiiSaltChangedError(
        f"[pii_salt_changed] the PII salt ({PII_SALT_ENV}, else $KA_DATA_DIR/secrets/pii_salt) "
        f"is not the one this warehouse was built with (fingerprint {stored[:12]}…): every "
        "contact_hash_key would change. Set the previous salt again, or rotate on purpose "
        "with `ka-pipeline run --rotate-pii-salt` (Dagster: run config rotate_pii_salt)"
    )


def record_salt(conn: duckdb.DuckDBPyConnection, salt: str, rotated_from: str | None) -> None:
    """Store the fingerprint of the salt the coming build uses; before a rotation, keep the
    current contact keys to count the changed ones afterwards."""
    conn.execute("create schema if not exists raw")
    conn.execute(
        f"create table if not exists {HISTORY_TABLE} (fingerprint varchar not null, "
        "recorded_at timestamp not null, rotated_from varchar, changed_contact_keys bigint)"
    )
    current = salt_fingerprint(salt)
    if stored_fingerprint(conn) == current:
        return
    if rotated_from is not None and _exists(conn, CONTACTS_TABLE):
        conn.execute(
            f"create or replace table {KEYS_BEFORE_TABLE} as "
            f"select contact_id, contact_hash_key from {CONTACTS_TABLE}"
        )
    conn.execute(
        f"insert into {HISTORY_TABLE} values (?, now()::timestamp, ?, null)",
        [current, rotated_from],
    )


def count_changed_keys(conn: duckdb.DuckDBPyConnection) -> int | None:
    """After a rotation's build: contacts whose key changed (None: nothing to compare)."""
    if not _exists(conn, KEYS_BEFORE_TABLE) or not _exists(conn, CONTACTS_TABLE):
        return None
    (changed,) = conn.execute(
        f"select count(*) from {KEYS_BEFORE_TABLE} as before "
        f"inner join {CONTACTS_TABLE} as after on before.contact_id = after.contact_id "
        "where before.contact_hash_key is distinct from after.contact_hash_key"
    ).fetchone()
    conn.execute(
        f"update {HISTORY_TABLE} set changed_contact_keys = ? "
        f"where recorded_at = (select max(recorded_at) from {HISTORY_TABLE})",
        [changed],
    )
    conn.execute(f"drop table {KEYS_BEFORE_TABLE}")
    return changed


def last_rotation(conn: duckdb.DuckDBPyConnection) -> tuple[str, int | None] | None:
    """(recorded_at, changed keys) of the latest fingerprint when it was a rotation."""
    if not _exists(conn, HISTORY_TABLE):
        return None
    row = conn.execute(
        f"select cast(recorded_at as varchar), changed_contact_keys, rotated_from "
        f"from {HISTORY_TABLE} order by recorded_at desc limit 1"
    ).fetchone()
    return (row[0], row[1]) if row and row[2] is not None else None


def _exists(conn: duckdb.DuckDBPyConnection, qualified: str) -> bool:
    schema, table = qualified.split(".")
    return bool(
        conn.execute(
            "select count(*) from information_schema.tables "
            "where table_schema = ? and table_name = ? and table_catalog = current_database()",
            [schema, table],
        ).fetchone()[0]
    )
