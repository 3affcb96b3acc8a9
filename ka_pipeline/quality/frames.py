"""Read the frame a suite validates, with its derived columns and outside-the-frame parameters.

Raw data is text as delivered, so "value ranges" on it are computed on typed columns this
module derives while reading the batch, with the same parsing rules as dbt staging (same
date / timestamp formats, thousands separators and full-width digits, the alias seeds for
labels). A raw check therefore measures what staging will quarantine, before dbt runs.

Derived columns (`meta.derived_columns`, `{"<name>": {"<kind>": "<column>"}}`):

| kind | result |
|---|---|
| text | trimmed text, empty as null (keys: `""` is a missing key) |
| number | number parsed like staging's parse_number (`12,345.60`, `１２３`), else null |
| date | date from `YYYY-MM-DD`, `YYYY/MM/DD` or `YYYYMMDD`, else null (also 2024-02-30) |
| timestamp_date | the date of a timestamp in any format staging accepts, else null |
| days_after_partition | days from the row's business day to another derived date column |
| unparsed | the delivered text where a derived number / date column could not parse it (null where it parsed or nothing was delivered): a null-expectation on it counts the unparseable values and shows them as samples |
| known_in | whether a (derived) key occurs in `table`.`column` (trimmed), e.g. the order's account among the CRM's accounts; null when the key is missing, false when `table` does not exist yet |
| label | code of a label through the alias seeds (`lookup`: `enum:<domain>`, `industry`, `province`, `region`, `boolean`), as staging maps it; an unknown label stays as normalised text so it shows in samples |
| share_of_value | share of the frame's rows that have the row's value (distribution checks) |

Parameters (`meta.parameters`, used as `{"$PARAMETER": "<expression>"}` in kwargs) need data
from outside the frame; their providers are the custom logic next to GX:

| provider | gives |
|---|---|
| recent_row_count | `<name>_expected` rows for the batch's days (mean of the same weekday over the `history_days` loaded before it, from raw._load_log), and the bounds `<name>_low`, `<name>_high` (warn) and `<name>_block` (error) |
| fact_revenue | revenue of completed order lines in core.fct_order_lines up to the mart's as-of date (`scope: total`), or in its window for real accounts (`scope: window_accounts`) |
| seed_values | the codes of a dbt seed's `column` (rows matching `where`), e.g. the review actions of seeds/marts/review_actions.csv |
"""  # noqa: E501

from __future__ import annotations

import csv
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache
from typing import TYPE_CHECKING, Any

import duckdb

from ka_pipeline.quality.suites import Suite
from ka_pipeline.settings import DBT_PROJECT_DIR

if TYPE_CHECKING:
    import pandas as pd

    from ka_pipeline.quality.chunks import ChunkedBatch

LOAD_LOG = "raw._load_log"
_HALFWIDTH = "translate(trim({x}), '０１２３４５６７８９．，－＋／：　', '0123456789.,-+/: ')"
_DATE_FORMATS = "['%Y-%m-%d', '%Y/%m/%d', '%Y%m%d']"
_TIMESTAMP_FORMATS = (
    "['%Y-%m-%d %H:%M:%S', '%Y-%m-%dT%H:%M:%S', '%Y-%m-%d %H:%M', '%Y/%m/%d %H:%M:%S', "
    "'%Y/%m/%d %H:%M', '%Y%m%d %H:%M:%S', '%Y%m%d%H%M%S', '%Y-%m-%d %H:%M:%S.%f', "
    "'%Y-%m-%d', '%Y/%m/%d', '%Y%m%d']"
)


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


def _quoted(column: str) -> str:
    return '"' + column.replace('"', '""') + '"'


def _sql_derivation(
    kind: str, column: str, spec: dict[str, Any], derived_sql: dict[str, str], tables: set[str]
) -> str:
    x = derived_sql.get(column, _quoted(column))
    if kind == "text":
        return f"nullif(trim({x}), '')"
    if kind == "number":
        cleaned = _HALFWIDTH.format(x=x)
        for char in (",", " ", "¥", "￥"):
            cleaned = f"replace({cleaned}, '{char}', '')"
        return f"try_cast(nullif({cleaned}, '') as double)"
    if kind == "date":
        return f"cast(try_strptime({_HALFWIDTH.format(x=x)}, {_DATE_FORMATS}) as date)"
    if kind == "timestamp_date":
        return f"cast(try_strptime({_HALFWIDTH.format(x=x)}, {_TIMESTAMP_FORMATS}) as date)"
    if kind == "days_after_partition":
        if column not in derived_sql:
            raise ValueError(f"days_after_partition needs a derived date column, got {column}")
        return f"date_diff('day', _partition_date, {derived_sql[column]})"
    if kind == "unparsed":
        if column not in derived_sql:
            raise ValueError(f"unparsed needs a derived number or date column, got {column}")
        delivered = _quoted(spec["_source"])
        return (
            f"case when nullif(trim({delivered}), '') is not null "
            f"and {derived_sql[column]} is null then {delivered} end"
        )
    if kind == "known_in":
        if spec["table"] not in tables:
            return f"case when {x} is not null then false end"
        return f"case when {x} is not null then {x} in ({known_keys(spec)}) end"
    if kind == "label":  # staging's normalise_label, then the alias seeds' code, else as is
        spaceless = f"replace(replace(replace(trim({x}), chr(9), ''), ' ', ''), '　', '')"
        normalised = f"nullif(lower({spaceless}), '')"
        codes = ", ".join(
            f"{_literal(alias)}: {_literal(code)}"
            for alias, code in label_lookup(spec["lookup"]).items()
        )
        return f"coalesce(map {{{codes}}}[{normalised}], {normalised})"
    raise ValueError(f"unknown derived column kind {kind!r}")


def known_keys(spec: dict[str, Any]) -> str:
    """SQL of the keys a `known_in` column looks up (trimmed; missing ones left out: one
    blank key in the other table would make `key in (...)` null, not false, for every
    unknown key, and hide every orphan)."""
    key = f"nullif(trim({_quoted(spec['column'])}), '')"
    return f"select {key} from {spec['table']} where {key} is not null"


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


SQL_KINDS = (
    "text",
    "number",
    "date",
    "timestamp_date",
    "days_after_partition",
    "unparsed",
    "known_in",
    "label",
)
FRAME_KINDS = ("share_of_value",)


def _spec_kind(name: str, spec: dict[str, Any]) -> tuple[str, str]:
    kinds = [k for k in (*SQL_KINDS, *FRAME_KINDS) if k in spec]
    if len(kinds) != 1:
        raise ValueError(f"derived column {name}: exactly one kind of {SQL_KINDS + FRAME_KINDS}")
    return kinds[0], spec[kinds[0]]


# ------------------------------------------------------------------------------- labels
def normalise_label(value: object) -> str | None:
    """Like staging's normalise_label (and the `label` derivation's SQL): lower case, every
    space (ASCII, tab, U+3000) removed. Normalises the alias seeds' spellings."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    text = str(value).strip(" ").replace("\t", "").replace(" ", "").replace("\u3000", "")
    return text.lower() or None


def _seed(name: str) -> list[dict[str, str]]:
    with (DBT_PROJECT_DIR / "seeds" / f"{name}.csv").open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@cache
def label_lookup(lookup: str) -> dict[str, str]:
    """Normalised spelling -> code, from the same seeds staging maps labels with."""
    pairs: list[tuple[str, str]] = []
    if lookup.startswith("enum:"):
        domain = lookup.split(":", 1)[1]
        rows = [r for r in _seed("enum_aliases") if r["domain"] == domain]
        if not rows:
            raise ValueError(f"enum_aliases.csv has no domain {domain!r}")
        pairs = [(r["alias"], r["code"]) for r in rows] + [(r["code"], r["code"]) for r in rows]
    elif lookup in ("industry", "province"):
        for row in _seed(f"{lookup}_aliases"):
            pairs.append((row["alias"], row[f"{lookup}_code"]))
        for row in _seed(f"{lookup}s" if lookup == "province" else "industries"):
            code = row[f"{lookup}_code"]
            pairs += [
                (code, code),
                (row[f"{lookup}_name_zh"], code),
                (row[f"{lookup}_name_en"], code),
            ]
    elif lookup == "region":  # as staging: code, 华北, 华北区, 华北地区, North, North China
        for row in _seed("regions"):
            code, zh, en = row["region_code"], row["region_name_zh"], row["region_name_en"]
            pairs += [(code, code), (zh, code), (zh + "区", code), (zh + "地区", code)]
            pairs += [(en, code), (en + "china", code)]
    elif lookup == "boolean":  # as the parse_boolean macro
        pairs = [(v, "true") for v in ("true", "1", "yes", "y", "t", "active", "是", "在职")]
        pairs += [(v, "false") for v in ("false", "0", "no", "n", "f", "inactive", "否", "离职")]
    else:
        raise ValueError(f"unknown label lookup {lookup!r}")
    return {key: code for alias, code in pairs if (key := normalise_label(alias))}


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


def query_raw_frame(
    conn: duckdb.DuckDBPyConnection, sql: str, params: list | None = None
) -> pd.DataFrame:
    """`query_frame` for raw rows (text and the derived numbers, dates, flags), through Arrow:
    text stays Arrow-backed (no Python object per value), dates arrive as `datetime.date`,
    integers and flags as the nullable types `query_frame` gives. Several times faster on
    the millions of rows of a backfill."""
    import pandas as pd
    import pyarrow as pa

    nullable = {
        pa.int64(): pd.Int64Dtype(),
        pa.int32(): pd.Int32Dtype(),
        pa.bool_(): pd.BooleanDtype(),
    }
    table = conn.execute(sql, params or []).to_arrow_table()
    return table.to_pandas(types_mapper=nullable.get)


def derivations(conn, suite: Suite) -> tuple[dict[str, str], dict[str, str], list[str]]:
    """(SQL of each SQL-derived column, derived column -> delivered column it shows, notes)."""
    derived_sql: dict[str, str] = {}
    sources: dict[str, str] = {}
    notes: list[str] = []
    tables = _existing_relations(conn)
    for name, spec in suite.derived_columns.items():
        kind, column = _spec_kind(name, spec)
        if kind == "known_in" and spec["table"] not in tables:
            notes.append(f"{name}: {spec['table']} does not exist yet, no key is known")
        if kind in SQL_KINDS:
            if kind == "unparsed":
                spec = {**spec, "_source": sources.get(column, column)}
            derived_sql[name] = _sql_derivation(kind, column, spec, derived_sql, tables)
            sources[name] = sources.get(column, column)
        else:
            sources[name] = column
    return derived_sql, sources, notes


LINEAGE_COLUMNS = ("_source_file", "_row_number")  # where a sample was delivered


def expectation_columns(expectation: dict[str, Any]) -> list[str]:
    """The columns one expectation reads (`column`, `column_list`, `column_A` / `column_B`)."""
    kwargs = expectation.get("kwargs", {})
    names = [kwargs[k] for k in ("column", "column_A", "column_B") if kwargs.get(k)]
    return names + list(kwargs.get("column_list") or [])


def needed_columns(suite: Suite) -> set[str] | None:
    """Columns a suite's column expectations need in the frame: their own, the inputs of
    frame-derived ones (`share_of_value`), the delivered column each derived one shows in
    samples, and the lineage of samples. None (every column) when an expectation has a
    `row_condition`, which may name any column."""
    if any(e.get("kwargs", {}).get("row_condition") for e in suite.expectations):
        return None
    needed = set(LINEAGE_COLUMNS)
    pending = [c for e in suite.expectations for c in expectation_columns(e)]
    while pending:
        name = pending.pop()
        if name in needed:
            continue
        needed.add(name)
        if name in suite.derived_columns:
            kind, column = _spec_kind(name, suite.derived_columns[name])
            if kind in FRAME_KINDS:
                pending.append(column)  # computed from the frame: its input must be read
            else:  # computed in SQL: only the delivered text it shows in samples
                while column in suite.derived_columns:
                    column = _spec_kind(column, suite.derived_columns[column])[1]
                pending.append(column)
    return needed


def select_list(derived_sql: dict[str, str], columns: set[str] | None = None) -> str:
    """`*` and every SQL-derived column, or only `columns` (raw ones and SQL-derived ones)."""
    if columns is None:
        return ", ".join(["*", *(f"{sql} as {_quoted(n)}" for n, sql in derived_sql.items())])
    items = [
        f"{derived_sql[c]} as {_quoted(c)}" if c in derived_sql else _quoted(c)
        for c in sorted(columns)
    ]
    return ", ".join(items)


def _add_frame_derivations(suite: Suite, frame: pd.DataFrame) -> pd.DataFrame:
    for name, spec in suite.derived_columns.items():
        kind, column = _spec_kind(name, spec)
        if kind == "share_of_value":
            values = frame[column].astype(object).where(frame[column].notna(), "∅")
            sizes = values.map(values.value_counts())
            frame[name] = (sizes / len(frame)).astype(float) if len(frame) else sizes
    return frame


def entity_key(suite: Suite) -> str:
    """`erp/orders` for a raw suite (the load log's entity)."""
    return "/".join(suite.asset_key[1:])


def latest_loaded_days(conn, suite: Suite) -> tuple[date, ...] | None:
    """Business days of the most recent load of the suite's entity (one load = one
    extraction run: the loader stamps every file of a run with the same `loaded_at`)."""
    if not _relation_exists(conn, LOAD_LOG):
        return None
    rows = conn.execute(
        f"select distinct partition_date from {LOAD_LOG} where entity = ? and partition_date "
        f"is not null and loaded_at = (select max(loaded_at) from {LOAD_LOG} where entity = ?) "
        "order by 1",
        [entity_key(suite), entity_key(suite)],
    ).fetchall()
    return tuple(r[0] for r in rows) or None


def describe_days(days: Sequence[date]) -> str:
    if len(days) == 1:
        return f"business day {days[0]}"
    return f"{len(days)} business days {days[0]} .. {days[-1]}"


def _existing_relations(conn) -> set[str]:
    rows = conn.execute("select table_schema, table_name from information_schema.tables").fetchall()
    return {f"{schema}.{name}" for schema, name in rows}


def _relation_exists(conn, relation: str) -> bool:
    schema, name = relation.split(".", 1)
    return bool(
        conn.execute(
            "select count(*) from information_schema.tables where table_schema = ? "
            "and table_name = ?",
            [schema, name],
        ).fetchone()[0]
    )


def read_batch(
    conn: duckdb.DuckDBPyConnection,
    suite: Suite,
    days: Sequence[date] | None = None,
    *,
    chunk_rows: int | None = None,
) -> Batch | ChunkedBatch:
    """What the suite validates: for `batch: partitions`, the rows delivered for the business
    days `days` (default: the days of the entity's latest load), planned in chunks of whole
    days of at most `chunk_rows` rows (default `chunks.CHUNK_ROWS`) and read chunk by chunk
    while validating; for `batch: table`, the whole table as one frame."""
    from ka_pipeline.quality.chunks import plan  # chunks builds on this module

    derived_sql, sources, notes = derivations(conn, suite)
    batch: Batch | ChunkedBatch
    if suite.batch == "partitions":
        days = tuple(sorted(set(days))) if days else latest_loaded_days(conn, suite)
        if not days:
            raise LookupError(f"{suite.table}: nothing loaded yet, no batch to validate")
        batch = plan(conn, suite, days, derived_sql, sources, notes, chunk_rows)
    else:
        frame = query_frame(conn, f"select {select_list(derived_sql)} from {suite.table}")
        frame = _add_frame_derivations(suite, frame)
        description = f"{suite.table}, whole table: {len(frame):,} rows"
        batch = Batch(frame, {}, description, None, notes, sources)
    for name, spec in suite.parameters.items():
        provider = PROVIDERS[spec["provider"]]
        batch.parameters.update(provider(conn, suite, batch, name, spec))
    return batch


# ---------------------------------------------------------------------------- providers
def _recent_row_count(
    conn, suite: Suite, batch: Batch | ChunkedBatch, name: str, spec: dict
) -> dict:
    """Rows expected in the batch from the recent load history (same weekday), and bounds.

    expected = sum over the batch's days of the mean delivered rows of that weekday over the
    `history_days` loaded before the batch (all loaded days when a weekday has none);
    low  = min(expected x low, expected - 3 sqrt(expected)), floored at 0 (warn below);
    high = max(expected x high, expected + 3 sqrt(expected)) + slack (warn above);
    block = 1 when expected >= block_min_expected, else 0 (an empty delivery then blocks).
    """
    unbounded = {
        f"{name}_expected": None,
        f"{name}_low": 0,
        f"{name}_high": 10**12,
        f"{name}_block": 0,
    }
    if batch.days is None or not _relation_exists(conn, LOAD_LOG):
        batch.notes.append("row count: no batch days or load log, bounds not applied")
        return unbounded
    history_days = int(spec.get("history_days", 28))
    first = batch.days[0]
    history = conn.execute(
        f"select partition_date, sum(delivered_rows) from {LOAD_LOG} where entity = ? "
        "and partition_date between ? and ? group by 1",
        [entity_key(suite), first - timedelta(days=history_days), first - timedelta(days=1)],
    ).fetchall()
    if len(history) < int(spec.get("min_history_days", 7)):
        batch.notes.append(
            f"row count: {len(history)} day(s) loaded in the {history_days} days before "
            f"{first}, too few to compare with; bounds not applied"
        )
        return unbounded
    by_weekday: dict[int, list[int]] = {}
    for day, rows in history:
        by_weekday.setdefault(day.weekday(), []).append(int(rows))
    overall = sum(int(r) for _, r in history) / len(history)
    means = {wd: sum(v) / len(v) for wd, v in by_weekday.items()}
    expected = sum(means.get(day.weekday(), overall) for day in batch.days)
    spread = 3 * math.sqrt(expected)
    low = max(0.0, min(expected * float(spec.get("low", 0.25)), expected - spread))
    high = max(expected * float(spec.get("high", 3.0)), expected + spread) + float(
        spec.get("slack", 3)
    )
    block = 1 if expected >= float(spec.get("block_min_expected", 20)) else 0
    return {
        f"{name}_expected": round(expected, 2),
        f"{name}_low": round(low, 2),
        f"{name}_high": round(high, 2),
        f"{name}_block": block,
    }


def _mart_window(conn, frame: pd.DataFrame) -> tuple[date | None, date | None]:
    as_of = frame["as_of_date"].dropna().max() if "as_of_date" in frame else None
    start = frame["window_start_date"].dropna().min() if "window_start_date" in frame else None
    if (as_of is None or start is None) and _relation_exists(conn, "marts.mart_account_rfm"):
        row = conn.execute(
            "select max(as_of_date), min(window_start_date) from marts.mart_account_rfm"
        ).fetchone()
        as_of = as_of if as_of is not None else row[0]
        start = start if start is not None else row[1]
    return as_of, start


def _fact_revenue(conn, suite: Suite, batch: Batch, name: str, spec: dict) -> dict:
    """Revenue of completed lines in core.fct_order_lines, as the marts must reconcile to
    (same rule as dbt test assert_mart_revenue_reconciles_with_order_lines)."""
    as_of, window_start = _mart_window(conn, batch.frame)
    if as_of is None:
        batch.notes.append(f"{name}: no as-of date in the mart, fact revenue not computed")
        return {name: None}
    sql = (
        "select coalesce(sum(revenue_cny), 0) from core.fct_order_lines "
        "where is_completed and order_date <= ?"
    )
    params: list[Any] = [as_of]
    if spec.get("scope") == "window_accounts":
        sql += " and order_date >= ? and account_id <> 'UNKNOWN'"
        params.append(window_start)
    (revenue,) = conn.execute(sql, params).fetchone()
    scope = (
        f"window {window_start} .. {as_of}"
        if spec.get("scope") == "window_accounts"
        else f"up to {as_of}"
    )
    batch.notes.append(f"{name}: completed revenue in core.fct_order_lines, {scope} = {revenue}")
    return {name: float(revenue)}


def _seed_values(conn, suite: Suite, batch: Batch, name: str, spec: dict) -> dict:
    """Codes a dbt seed defines (e.g. the review actions), so a mart's enumerations are
    checked against the same reference data dbt built them from."""
    rows = _seed(spec["seed"])
    where = spec.get("where", {})
    values = {r[spec["column"]] for r in rows if all(r.get(k) == v for k, v in where.items())}
    if not values:
        raise ValueError(f"seed {spec['seed']} has no {spec['column']} values matching {where}")
    return {name: sorted(values)}


Provider = Callable[[duckdb.DuckDBPyConnection, Suite, "Batch | ChunkedBatch", str, dict], dict]
PROVIDERS: dict[str, Provider] = {
    "recent_row_count": _recent_row_count,
    "fact_revenue": _fact_revenue,
    "seed_values": _seed_values,
}
