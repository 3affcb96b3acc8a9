"""Read the frame a suite validates, and the outside-the-frame parameters its expectations use.

No parsing here: raw suites check the delivery as delivered (its columns, its row count,
how many values each column carries), which needs no typed value. Every rule on typed
values (dates, numbers, labels, keys) is a `delivered_*` dbt test on the typed base_ rows
built by staging's own macros (dbt_project/macros/cross_db/parse.sql, text.sql), so each
parsing rule exists once, in SQL. A test fails if one appears here
(tests/test_quality_parsing_in_sql.py).

Derived columns (`meta.derived_columns`, `{"<name>": {"share_of_value": "<column>"}}`, mart
suites only): the share of the frame's rows that have the row's value, for distribution
checks (e.g. no tier holds 90 % of the accounts).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

import duckdb

from ka_pipeline.quality.suites import Suite

if TYPE_CHECKING:
    import pandas as pd

LOAD_LOG = "raw._load_log"
DERIVED_KINDS = ("share_of_value",)


@dataclass
class Batch:
    """A frame ready for validation, and what it is."""

    frame: pd.DataFrame
    parameters: dict[str, Any]
    description: str
    days: tuple[date, ...] | None = None  # the business days of a raw daily batch, sorted
    notes: list[str] = field(default_factory=list)
    sources: dict[str, str] = field(default_factory=dict)  # derived column -> raw column

    @property
    def rows(self) -> int:
        return len(self.frame)


def quoted(column: str) -> str:
    """`column` as a DuckDB identifier."""
    return '"' + column.replace('"', '""') + '"'


def derived_input(name: str, spec: dict[str, Any]) -> str:
    """The column a derived column is computed from (its one kind: `DERIVED_KINDS`)."""
    kinds = [k for k in DERIVED_KINDS if k in spec]
    if len(kinds) != 1:
        raise ValueError(f"derived column {name}: exactly one kind of {DERIVED_KINDS}")
    return spec[kinds[0]]


# ------------------------------------------------------------------------------- frames
def _dates_as_objects(frame: pd.DataFrame, date_columns: list[str]) -> pd.DataFrame:
    """DuckDB DATE arrives as datetime64; GX compares `datetime.date` bounds with
    `datetime.date` values, so date columns become objects (NaT stays missing, as None)."""
    for column in date_columns:
        series = frame[column]
        frame[column] = series.dt.date.where(series.notna(), None).astype(object)
    return frame


def query_frame(
    conn: duckdb.DuckDBPyConnection, sql: str, params: list | None = None
) -> pd.DataFrame:
    relation = conn.execute(sql, params or [])
    types = [str(d[1]) for d in relation.description]
    names = [d[0] for d in relation.description]
    frame = relation.df()
    return _dates_as_objects(frame, [n for n, t in zip(names, types, strict=True) if t == "DATE"])


def add_derived_columns(suite: Suite, frame: pd.DataFrame) -> pd.DataFrame:
    """The suite's `share_of_value` columns, computed on the whole frame."""
    for name, spec in suite.derived_columns.items():
        column = derived_input(name, spec)
        values = frame[column].astype(object).where(frame[column].notna(), "∅")
        sizes = values.map(values.value_counts())
        frame[name] = (sizes / len(frame)).astype(float) if len(frame) else sizes
    return frame


def entity_key(suite: Suite) -> str:
    """`erp/orders` for a raw suite (the load log's entity)."""
    return "/".join(suite.asset_key[1:])


def latest_load(conn, suite: Suite) -> tuple[tuple[date, ...], bool]:
    """Business days of the most recent load of the suite's entity (one load = one
    extraction run: the loader stamps every file of a run with the same `loaded_at`), and
    whether that load was undated (a file without a date in its name)."""
    if not relation_exists(conn, LOAD_LOG):
        return (), False
    rows = conn.execute(
        f"select distinct partition_date from {LOAD_LOG} where entity = ? "
        f"and loaded_at = (select max(loaded_at) from {LOAD_LOG} where entity = ?) "
        "order by 1 nulls last",
        [entity_key(suite), entity_key(suite)],
    ).fetchall()
    days = tuple(r[0] for r in rows if r[0] is not None)
    return days, len(days) < len(rows)


def describe_days(days: Sequence[date]) -> str:
    if len(days) == 1:
        return f"business day {days[0]}"
    return f"{len(days)} business days {days[0]} .. {days[-1]}"


def relation_exists(conn, relation: str) -> bool:
    schema, name = relation.split(".", 1)
    return bool(
        conn.execute(
            "select count(*) from information_schema.tables where table_schema = ? "
            "and table_name = ?",
            [schema, name],
        ).fetchone()[0]
    )
