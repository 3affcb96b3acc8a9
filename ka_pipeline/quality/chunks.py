"""Validate a `batch: partitions` suite chunk by chunk, and merge the chunks' results.

A backfill or a full build validates every delivered row of its days: three years of order
lines at once. Read as one frame, that is the whole history in memory (17 GiB at 10M order
lines). Instead the batch's business days are cut into chunks of whole days of at most
`CHUNK_ROWS` rows (a day is never split; a larger day is a chunk of its own), each chunk is
read with only the columns the suite needs and validated by GX, and the chunks' results are
merged into one result per expectation, as if GX had seen the whole batch. Memory is
bounded by a chunk, whatever the history. Chunks are a row budget rather than calendar
months: GX costs a fixed ~0.1-0.3 s per validation, so small months (a few thousand rows)
would cost more in overhead than they save, and a month of a large export could still be
millions of rows.

How each kind of expectation is evaluated on a chunked batch:

- table schema (`expect_table_columns_*`, `expect_table_column_count_*`,
  `expect_column_to_exist`): once, on a zero-row frame with every column of the table and
  every derived column.
- table row count (`expect_table_row_count_*`): once, on a column-less frame of the batch's
  row count. The `recent_row_count` bounds are those of the whole batch's days (computed in
  `frames` before the chunks are read), exactly as for a single frame.
- column, column-pair and multicolumn map expectations (null, not null, in set, between,
  a > b, ...): per chunk. Element, missing and unexpected counts are summed; the
  unexpected percent and `mostly` are recomputed as GX computes them (of the rows
  considered: not missing, or not ignored by `ignore_row_if`); samples and rows are
  concatenated in delivery order and capped.
- uniqueness (`expect_column_values_to_be_unique`, `expect_compound_columns_to_be_unique`):
  as a map per chunk, but a chunk sees only its own repeats, so on more than one chunk the
  unexpected count comes from one DuckDB query over the whole batch: the rows whose key
  occurs more than once (GX's definition: every occurrence counts, rows with the key
  missing are ignored), with the same key expressions. A key delivered again on a later
  day, in another chunk, is found; samples are the first such rows in delivery order.
- `expect_column_proportion_of_non_null_values_to_be_between`: per chunk; the non-null
  rows (proportion x chunk rows) are summed over the batch's rows and the bounds applied
  to that proportion.
- anything else is refused, naming the suite file and the expectation: add a rule here.

Severity rules (empty batch, systemic share, too few rows to block) are applied after the
merge, on the whole batch (`results.judge`). A one-chunk batch (a nightly day) is GX's
result unchanged.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

import duckdb

from ka_pipeline.quality.frames import (
    FRAME_KINDS,
    LINEAGE_COLUMNS,
    Batch,
    _existing_relations,
    _quoted,
    _spec_kind,
    describe_days,
    known_keys,
    needed_columns,
    query_raw_frame,
    select_list,
)
from ka_pipeline.quality.results import (
    MAX_ROWS,
    MAX_SAMPLES,
    ExpectationOutcome,
    _distinct,
    _locate,
)
from ka_pipeline.quality.suites import Suite

CHUNK_ROWS = 300_000  # rows per chunk: ~100-200 MB of frame at the raw suites' widths
SCHEMA_TYPES = frozenset(
    {
        "expect_table_columns_to_match_set",
        "expect_table_columns_to_match_ordered_list",
        "expect_table_column_count_to_equal",
        "expect_table_column_count_to_be_between",
        "expect_column_to_exist",
    }
)
ROW_COUNT_TYPES = frozenset(
    {"expect_table_row_count_to_be_between", "expect_table_row_count_to_equal"}
)
UNIQUENESS_TYPES = frozenset(
    {"expect_column_values_to_be_unique", "expect_compound_columns_to_be_unique"}
)
PROPORTION_TYPES = frozenset({"expect_column_proportion_of_non_null_values_to_be_between"})
_IN_DAYS = "_partition_date in (select unnest(?))"
_ORDER = "order by _partition_date, _source_file, _row_number"  # delivery order
_DUPLICATE_ROWS = 200  # first rows of repeated keys read for samples (as `_locate` reads)


@dataclass
class ChunkedBatch:
    """The rows delivered for `days`, read chunk by chunk (`frames`) from `conn`."""

    conn: duckdb.DuckDBPyConnection
    suite: Suite
    days: tuple[date, ...]
    chunks: tuple[tuple[date, ...], ...]  # the business days of each chunk, in order
    rows: int
    derived_sql: dict[str, str]
    sources: dict[str, str]  # derived column -> delivered column
    parameters: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    temporary: list[str] = field(default_factory=list)  # temp tables the batch reads

    def drop_temporary(self) -> None:
        for table in self.temporary:
            self.conn.execute(f"drop table if exists {table}")

    @property
    def description(self) -> str:
        chunks = f" in {len(self.chunks)} chunks" if len(self.chunks) > 1 else ""
        return f"{self.suite.table}, {describe_days(self.days)}: {self.rows:,} rows{chunks}"

    def frames(self) -> Iterator[Batch]:
        """One frame per chunk, with the columns the suite's expectations need."""
        select = select_list(self.derived_sql, needed_columns(self.suite))
        for days in self.chunks:
            sql = f"select {select} from {self.suite.table} where {_IN_DAYS} {_ORDER}"
            yield Batch(  # no reference kept here: the caller's is the only one
                query_raw_frame(self.conn, sql, [list(days)]),
                self.parameters,
                describe_days(days),
                days,
                self.notes,
                self.sources,
            )

    def schema_frame(self) -> Batch:
        """Zero rows, every column of the table and every derived column (all SQL: `plan`
        refuses frame-derived ones)."""
        frame = query_raw_frame(
            self.conn, f"select {select_list(self.derived_sql)} from {self.suite.table} limit 0"
        )
        return self._whole_batch(frame)

    def row_count_frame(self) -> Batch:
        """No columns, the batch's number of rows (a RangeIndex: no memory per row)."""
        import pandas as pd

        return self._whole_batch(pd.DataFrame(index=pd.RangeIndex(self.rows)))

    def _whole_batch(self, frame) -> Batch:
        """`frame` standing for the whole batch (its description, days and parameters)."""
        return Batch(frame, self.parameters, self.description, self.days, self.notes, self.sources)

    def repeated_keys(self, outcome: ExpectationOutcome) -> tuple[int, Batch | None]:
        """Rows of the whole batch whose key occurs more than once (keys missing as GX
        ignores them), and the first of those rows in delivery order as a frame (None when
        there are none)."""
        kwargs = outcome.kwargs
        columns = [kwargs["column"]] if kwargs.get("column") else list(kwargs["column_list"])
        keys = [self.derived_sql.get(c, _quoted(c)) for c in columns]  # `plan` refused others
        names = [f"k{i}" for i in range(len(keys))]
        nulls = [f"{n} is null" for n in names]
        missing = {  # GX's `ignore_row_if` of multicolumn expectations; a column's: null
            "all_values_are_missing": " and ".join(nulls),
            "any_value_is_missing": " or ".join(nulls),
            "never": "false",
        }[kwargs.get("ignore_row_if", "all_values_are_missing")]
        shown = sorted({self.sources.get(c, c) for c in columns} - set(columns))
        keyed = ", ".join(f"{k} as {n}" for k, n in zip(keys, names, strict=True))
        lineage = ", ".join(_quoted(c) for c in (*shown, *LINEAGE_COLUMNS))
        key_list = ", ".join(names)
        # inlined, not a CTE: DuckDB may materialise a CTE read twice (the whole batch)
        considered = (
            f"(select * from (select {keyed}, {lineage}, _partition_date from "
            f"{self.suite.table} where {_IN_DAYS}) where not ({missing}))"
        )
        # keys hashed first (8 bytes a row, not the keys' text), compared exactly only where
        # a hash repeats: the same count as grouping the keys, in a fraction of the memory
        repeated = (
            f"(select {key_list}, count(*) as n from {considered} "
            f"where hash({key_list}) in (select hash({key_list}) from {considered} "
            "group by all having count(*) > 1) group by all having count(*) > 1)"
        )
        days = [list(self.days)]
        (count,) = self.conn.execute(
            f"select coalesce(sum(n), 0) from {repeated}", days * 2
        ).fetchone()
        if not count:
            return 0, None
        matches = " and ".join(f"c.{n} is not distinct from r.{n}" for n in names)
        aliases = [f"c.{n} as {_quoted(c)}" for n, c in zip(names, columns, strict=True)]
        frame = query_raw_frame(
            self.conn,
            f"select {', '.join(aliases)}, "
            f"{', '.join('c.' + _quoted(c) for c in (*shown, *LINEAGE_COLUMNS))} "
            f"from {considered} c semi join {repeated} r on {matches} "
            f"order by c._partition_date, c._source_file, c._row_number limit {_DUPLICATE_ROWS}",
            days * 3,
        )
        return int(count), Batch(frame, {}, self.description, self.days, [], self.sources)


def plan(
    conn: duckdb.DuckDBPyConnection,
    suite: Suite,
    days: tuple[date, ...],
    derived_sql: dict[str, str],
    sources: dict[str, str],
    notes: list[str],
    chunk_rows: int | None = None,
) -> ChunkedBatch:
    """Cut `days` into chunks of whole days of at most `chunk_rows` rows (days without rows
    need no chunk; an empty batch is one empty chunk, so its column rules are evaluated)."""
    for name, spec in suite.derived_columns.items():
        if _spec_kind(name, spec)[0] in FRAME_KINDS:
            raise ValueError(
                f"{suite.relative_path}: derived column {name} ({_spec_kind(name, spec)[0]}) "
                "is computed on the whole frame; it is for `batch: table` suites, not for "
                "`batch: partitions` suites, which are validated in chunks"
            )
    unknown = _unknown_keys_once(conn, suite, days, derived_sql)
    derived_sql = {**derived_sql, **{name: sql for name, (sql, _) in unknown.items()}}
    budget = int(chunk_rows or CHUNK_ROWS)
    per_day = dict(
        conn.execute(
            f"select _partition_date, count(*) from {suite.table} where {_IN_DAYS} group by 1",
            [list(days)],
        ).fetchall()
    )
    chunks: list[tuple[date, ...]] = []
    current: list[date] = []
    size = 0
    for day in days:
        rows = per_day.get(day, 0)
        if not rows:
            continue
        if current and size + rows > budget:
            chunks.append(tuple(current))
            current, size = [], 0
        current.append(day)
        size += rows
    if current or not chunks:
        chunks.append(tuple(current or days))
    return ChunkedBatch(
        conn,
        suite,
        days,
        tuple(chunks),
        sum(per_day.values()),
        derived_sql,
        sources,
        notes=notes,
        temporary=[table for _, table in unknown.values()],
    )


def _unknown_keys_once(
    conn: duckdb.DuckDBPyConnection, suite: Suite, days: tuple[date, ...], derived_sql: dict
) -> dict[str, tuple[str, str]]:
    """`known_in` columns rewritten to look their key up among the batch's *unknown* keys:
    derived column -> (its SQL, the temporary table it reads).

    `key in (<every key of the other table>)` would build a hash of, e.g., every order id
    (4M at 10M order lines) once per chunk. The batch's keys missing from the other table
    are found once instead, by one anti join into a temporary table (a few rows: orphans),
    and a chunk's key is known when it is not among them: the same value for every row.
    """
    tables = _existing_relations(conn)
    rewritten = {}
    for name, spec in suite.derived_columns.items():
        if "known_in" not in spec or spec["table"] not in tables:
            continue  # without the table no key is known: `frames` says false
        key = derived_sql.get(spec["known_in"], _quoted(spec["known_in"]))
        unknown = "temp.main." + _quoted(f"ka_unknown__{suite.name}__{name}")
        conn.execute(
            f"create or replace temp table {unknown.removeprefix('temp.main.')} as "
            f"select distinct {key} as k from {suite.table} where {_IN_DAYS} "
            f"and {key} is not null and {key} not in ({known_keys(spec)})",
            [list(days)],
        )
        sql = f"case when {key} is not null then {key} not in (select k from {unknown}) end"
        rewritten[name] = (sql, unknown)
    return rewritten


# ------------------------------------------------------------------------------ merging
def _is_map(expectation_type: str) -> bool:
    from great_expectations.expectations.expectation import (
        ColumnMapExpectation,
        ColumnPairMapExpectation,
        MulticolumnMapExpectation,
    )
    from great_expectations.expectations.registry import get_expectation_impl

    return issubclass(
        get_expectation_impl(expectation_type),
        ColumnMapExpectation | ColumnPairMapExpectation | MulticolumnMapExpectation,
    )


def _between(value: float, kwargs: dict[str, Any]) -> bool:
    """GX's `_validate_metric_value_between` for numbers (strict_min / strict_max)."""
    low, high = kwargs.get("min_value"), kwargs.get("max_value")
    above = low is None or (value > low if kwargs.get("strict_min") else value >= low)
    below = high is None or (value < high if kwargs.get("strict_max") else value <= high)
    return above and below


def _mostly(considered: int, unexpected: int, mostly: float | None) -> bool:
    """GX's map-expectation success: vacuously true on no rows considered."""
    if considered == 0:
        return True
    return (considered - unexpected) / considered >= (1 if mostly is None else mostly)


def _merge_samples(merged: ExpectationOutcome, parts: list[ExpectationOutcome]) -> None:
    merged.samples = _distinct([s for p in parts for s in p.samples])[:MAX_SAMPLES]
    merged.rows = [r for p in parts for r in p.rows][:MAX_ROWS]


def merge_map(parts: list[ExpectationOutcome]) -> ExpectationOutcome:
    """Chunks of one map expectation -> the batch's outcome (counts summed, % recomputed)."""
    merged = replace(parts[0])
    exception = next((p.exception for p in parts if p.exception), None)
    merged.element_count = sum(p.element_count or 0 for p in parts)
    has_missing = any(p.missing_count is not None for p in parts)
    merged.missing_count = sum(p.missing_count or 0 for p in parts) if has_missing else None
    merged.unexpected_count = sum(p.unexpected_count or 0 for p in parts)
    _recount(merged, merged.unexpected_count)
    merged.exception = exception
    merged.success = merged.success and exception is None
    _merge_samples(merged, parts)
    return merged


def _recount(merged: ExpectationOutcome, unexpected: int) -> None:
    considered = (merged.element_count or 0) - (merged.missing_count or 0)
    merged.unexpected_count = unexpected
    merged.unexpected_percent = unexpected / considered * 100 if considered else None
    merged.success = _mostly(considered, unexpected, merged.kwargs.get("mostly"))


def merge_proportion(parts: list[ExpectationOutcome], rows: list[int]) -> ExpectationOutcome:
    """Chunks of a non-null proportion -> non-null rows of the batch over its rows."""
    merged = replace(parts[0])
    exception = next((p.exception for p in parts if p.exception), None)
    non_null = sum(
        round(float(p.observed_value or 0) * n) for p, n in zip(parts, rows, strict=True)
    )
    merged.observed_value = non_null / sum(rows) if sum(rows) else 0
    merged.exception = exception
    merged.success = exception is None and _between(merged.observed_value, merged.kwargs)
    _merge_samples(merged, parts)
    return merged


Observe = Callable[[Suite, Batch, list[int], bool], list[ExpectationOutcome]]


def validate_in_chunks(
    suite: Suite, batch: ChunkedBatch, observe: Observe
) -> list[ExpectationOutcome]:
    """The suite's outcomes on the whole batch (not yet judged), reading one chunk at a time.
    `observe(suite, batch, indices, locate_passing)` runs GX on one frame."""
    types = {i: e["type"] for i, e in enumerate(suite.expectations)}
    schema = [i for i, t in types.items() if t in SCHEMA_TYPES]
    counted = [i for i, t in types.items() if t in ROW_COUNT_TYPES]
    per_chunk = [i for i in types if i not in schema and i not in counted]
    for i in per_chunk:
        if types[i] not in PROPORTION_TYPES and not _is_map(types[i]):
            raise ValueError(
                f"{suite.relative_path}: expectation {i} ({types[i]}) has no rule to merge "
                "its results over chunks of a `batch: partitions` suite (see quality/chunks.py)"
            )
    try:
        outcomes = observe(suite, batch.schema_frame(), schema, False) if schema else []
        outcomes += observe(suite, batch.row_count_frame(), counted, False) if counted else []
        parts: dict[int, list[ExpectationOutcome]] = {i: [] for i in per_chunk}
        rows: list[int] = []
        for chunk in batch.frames():
            for outcome in observe(suite, chunk, per_chunk, len(batch.chunks) > 1):
                parts[outcome.index].append(outcome)
            rows.append(chunk.rows)
            del chunk  # freed before the next chunk is read
        for i, chunk_outcomes in parts.items():
            if len(chunk_outcomes) == 1:
                outcomes.append(chunk_outcomes[0])
            elif types[i] in PROPORTION_TYPES:
                outcomes.append(merge_proportion(chunk_outcomes, rows))
            else:
                merged = merge_map(chunk_outcomes)
                if types[i] in UNIQUENESS_TYPES and merged.exception is None:
                    _count_repeats_across_chunks(suite, batch, merged)
                outcomes.append(merged)
    finally:
        batch.drop_temporary()
    return sorted(outcomes, key=lambda o: o.index)


def _count_repeats_across_chunks(
    suite: Suite, batch: ChunkedBatch, merged: ExpectationOutcome
) -> None:
    """A chunk sees only its own repeats: take the count and samples over the whole batch."""
    count, repeated = batch.repeated_keys(merged)
    _recount(merged, count)
    merged.samples, merged.rows = [], []
    if repeated is not None:
        columns = [c for c in (merged.column or "").split(",") if c]
        keys = repeated.frame[columns]
        unexpected = (
            keys[columns[0]].tolist() if len(columns) == 1 else keys.to_dict(orient="records")
        )
        _locate(suite, repeated, merged, merged.kwargs, unexpected[:20])
