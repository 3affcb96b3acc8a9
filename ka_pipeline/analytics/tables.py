"""Writing the stage's tables into the warehouse's `marts` schema, all or nothing."""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd


class NotANumberError(ValueError):
    """A table about to be written holds NaN or an infinite value (a bug of the stage)."""


def assert_finite(name: str, frame: pd.DataFrame) -> None:
    numeric = frame.select_dtypes(include="number")
    bad = [c for c in numeric.columns if not np.isfinite(numeric[c].dropna().to_numpy(float)).all()]
    if bad:
        raise NotANumberError(f"marts.{name}: NaN or infinite values in {', '.join(bad)}")


def write_tables(
    conn: duckdb.DuckDBPyConnection,
    tables: dict[str, pd.DataFrame],
    docs: dict[str, tuple[str, dict[str, str]]] | None = None,
) -> None:
    """Replace every table in one transaction: readers see the old set or the new one.

    `docs` (table -> description, column descriptions; from the dbt source `analytics`)
    become table and column comments, as dbt's persist_docs does for the models, so BI
    tools and the release show them."""
    for name, frame in tables.items():
        assert_finite(name, frame)
    conn.execute("create schema if not exists marts")
    conn.execute("begin transaction")
    try:
        for name, frame in tables.items():
            conn.register("_analytics_frame", frame)
            conn.execute(f"create or replace table marts.{name} as select * from _analytics_frame")
            conn.unregister("_analytics_frame")
            _comment(conn, name, (docs or {}).get(name))
        conn.execute("commit")
    except Exception:
        conn.execute("rollback")
        raise


def _comment(conn, name: str, doc: tuple[str, dict[str, str]] | None) -> None:
    if not doc:
        return
    description, columns = doc
    if description:
        conn.execute(f"comment on table marts.{name} is {_literal(description)}")
    existing = {c for (c,) in conn.execute(
        "select column_name from information_schema.columns "
        "where table_schema = 'marts' and table_name = ?", [name]).fetchall()}  # fmt: skip
    for column, text in columns.items():
        if text and column in existing:
            conn.execute(f'comment on column marts.{name}."{column}" is {_literal(text)}')


def _literal(text: str) -> str:
    return "'" + text.strip().replace("'", "''") + "'"
