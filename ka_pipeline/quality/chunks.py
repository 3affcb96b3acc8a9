"""Validate a `batch: partitions` suite chunk by chunk, and merge the chunks' results.

A backfill or a full build validates every delivered row of its days: three years of order
lines at once. Read as one frame, that is the whole history in memory (17 GiB at 10M order
lines). Instead the batch's business days are cut into chunks of whole days of at most
`CHUNK_ROWS` rows (a day is never split; a larger day is a chunk of its own), each chunk is
read with only the columns the suite needs and validated by GX, and the chunks' results are
merged into one result per expectation, as if GX had seen the whole batch. Memory is
bounded by a chunk, whatever the history.

An undated delivery (a file whose name has no date, e.g. one export of the whole history:
its rows have no `_partition_date`) belongs to no business day. When the entity's latest
load was undated, its rows join the batch as slices of at most `CHUNK_ROWS` rows in
delivery order, so every delivered row is validated, not none.

A raw suite checks the delivery as delivered, so it has three kinds of expectation, each
with its rule here (anything else is refused, naming the suite file and the expectation;
rules on typed values are `delivered_*` dbt tests on the base_ models):

- table schema (`expect_table_columns_*`, `expect_table_column_count_*`,
  `expect_column_to_exist`): once, on a zero-row frame with every column of the table.
- table row count (`expect_table_row_count_*`): once, on a column-less frame of the batch's
  row count. The `recent_row_count` bounds are those of the whole batch's days.
- `expect_column_proportion_of_non_null_values_to_be_between`: per chunk; the non-null
  rows (proportion x chunk rows) are summed over the batch's rows and the bounds applied
  to that proportion.

Severity rules (empty batch, too few rows to block) are applied after the merge, on the
whole batch (`results.judge`). A one-chunk batch (a nightly day) is GX's result unchanged.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

import duckdb

from ka_pipeline.quality.frames import (
    Batch,
    describe_days,
    needed_columns,
    query_raw_frame,
    select_list,
)
from ka_pipeline.quality.results import ExpectationOutcome
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
PROPORTION_TYPES = frozenset({"expect_column_proportion_of_non_null_values_to_be_between"})
_IN_DAYS = "_partition_date in (select unnest(?))"
_ORDER = "order by _partition_date, _source_file, _row_number"  # delivery order
_UNDATED = "_partition_date is null"


@dataclass(frozen=True)
class Chunk:
    """Whole business days, or a slice (offset, rows) of the undated rows in delivery order."""

    days: tuple[date, ...] = ()
    undated: tuple[int, int] | None = None

    def query(self, select: str, table: str) -> tuple[str, list]:
        if self.undated is None:
            return f"select {select} from {table} where {_IN_DAYS} {_ORDER}", [list(self.days)]
        offset, rows = self.undated
        return (
            f"select {select} from {table} where {_UNDATED} {_ORDER} limit ? offset ?",
            [rows, offset],
        )

    @property
    def description(self) -> str:
        if self.undated is None:
            return describe_days(self.days)
        offset, rows = self.undated
        return f"undated rows {offset + 1:,}..{offset + rows:,}"


@dataclass
class ChunkedBatch:
    """The rows delivered for `days` (and the undated rows), read chunk by chunk from `conn`."""

    conn: duckdb.DuckDBPyConnection
    suite: Suite
    days: tuple[date, ...]
    chunks: tuple[Chunk, ...]  # in delivery order
    rows: int
    undated_rows: int = 0
    parameters: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def description(self) -> str:
        chunks = f" in {len(self.chunks)} chunks" if len(self.chunks) > 1 else ""
        parts = [describe_days(self.days)] if self.days else []
        if self.undated_rows:
            parts.append(f"the undated delivery ({self.undated_rows:,} rows)")
        return f"{self.suite.table}, {' and '.join(parts)}: {self.rows:,} rows{chunks}"

    def frames(self) -> Iterator[Batch]:
        """One frame per chunk, with the columns the suite's expectations need."""
        select = select_list(needed_columns(self.suite))
        for chunk in self.chunks:
            sql, parameters = chunk.query(select, self.suite.table)
            yield Batch(  # no reference kept here: the caller's is the only one
                query_raw_frame(self.conn, sql, parameters),
                self.parameters,
                chunk.description,
                chunk.days,
                self.notes,
            )

    def schema_frame(self) -> Batch:
        """Zero rows, every column of the table."""
        frame = query_raw_frame(self.conn, f"select * from {self.suite.table} limit 0")
        return self._whole_batch(frame)

    def row_count_frame(self) -> Batch:
        """No columns, the batch's number of rows (a RangeIndex: no memory per row)."""
        import pandas as pd

        return self._whole_batch(pd.DataFrame(index=pd.RangeIndex(self.rows)))

    def _whole_batch(self, frame) -> Batch:
        """`frame` standing for the whole batch (its description, days and parameters)."""
        return Batch(frame, self.parameters, self.description, self.days, self.notes)


def plan(
    conn: duckdb.DuckDBPyConnection,
    suite: Suite,
    days: tuple[date, ...],
    chunk_rows: int | None = None,
    *,
    undated: bool = False,
) -> ChunkedBatch:
    """Cut `days` into chunks of whole days of at most `chunk_rows` rows (days without rows
    need no chunk; an empty batch is one empty chunk, so its column rules are evaluated),
    then, with `undated`, the undated rows into slices of at most `chunk_rows` rows."""
    _refuse_unmergeable(suite)
    budget = int(chunk_rows or CHUNK_ROWS)
    per_day = dict(
        conn.execute(
            f"select _partition_date, count(*) from {suite.table} where {_IN_DAYS} group by 1",
            [list(days)],
        ).fetchall()
    )
    chunks: list[Chunk] = []
    current: list[date] = []
    size = 0
    for day in days:
        rows = per_day.get(day, 0)
        if not rows:
            continue
        if current and size + rows > budget:
            chunks.append(Chunk(tuple(current)))
            current, size = [], 0
        current.append(day)
        size += rows
    if current:
        chunks.append(Chunk(tuple(current)))
    undated_rows = 0
    if undated:
        count = conn.execute(f"select count(*) from {suite.table} where {_UNDATED}").fetchone()
        undated_rows = int(count[0])
        chunks += [
            Chunk(undated=(offset, min(budget, undated_rows - offset)))
            for offset in range(0, undated_rows, budget)
        ]
    if not chunks:
        chunks.append(Chunk(days))
    rows = sum(per_day.values()) + undated_rows
    return ChunkedBatch(conn, suite, days, tuple(chunks), rows, undated_rows=undated_rows)


def _refuse_unmergeable(suite: Suite) -> None:
    if suite.derived_columns:
        raise ValueError(
            f"{suite.relative_path}: derived columns are computed on the whole frame; they "
            "are for `batch: table` suites, not for `batch: partitions` suites"
        )
    for i, expectation in enumerate(suite.expectations):
        kind = expectation["type"]
        if kind not in SCHEMA_TYPES | ROW_COUNT_TYPES | PROPORTION_TYPES:
            raise ValueError(
                f"{suite.relative_path}: expectation {i} ({kind}) has no rule to merge its "
                "results over chunks of a `batch: partitions` suite (see quality/chunks.py); "
                "a rule on typed values is a delivered_* dbt test on the base_ model"
            )


# ------------------------------------------------------------------------------ merging
def _between(value: float, kwargs: dict[str, Any]) -> bool:
    """GX's `_validate_metric_value_between` for numbers (strict_min / strict_max)."""
    low, high = kwargs.get("min_value"), kwargs.get("max_value")
    above = low is None or (value > low if kwargs.get("strict_min") else value >= low)
    below = high is None or (value < high if kwargs.get("strict_max") else value <= high)
    return above and below


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
    return merged


Observe = Callable[[Suite, Batch, list[int]], list[ExpectationOutcome]]


def validate_in_chunks(
    suite: Suite, batch: ChunkedBatch, observe: Observe
) -> list[ExpectationOutcome]:
    """The suite's outcomes on the whole batch (not yet judged), reading one chunk at a time.
    `observe(suite, batch, indices)` runs GX on one frame."""
    types = {i: e["type"] for i, e in enumerate(suite.expectations)}
    schema = [i for i, t in types.items() if t in SCHEMA_TYPES]
    counted = [i for i, t in types.items() if t in ROW_COUNT_TYPES]
    per_chunk = [i for i, t in types.items() if t in PROPORTION_TYPES]
    outcomes = observe(suite, batch.schema_frame(), schema) if schema else []
    outcomes += observe(suite, batch.row_count_frame(), counted) if counted else []
    parts: dict[int, list[ExpectationOutcome]] = {i: [] for i in per_chunk}
    rows: list[int] = []
    if per_chunk:
        for chunk in batch.frames():
            for outcome in observe(suite, chunk, per_chunk):
                parts[outcome.index].append(outcome)
            rows.append(chunk.rows)
            del chunk  # freed before the next chunk is read
    for chunk_outcomes in parts.values():
        merged = chunk_outcomes[0] if len(chunk_outcomes) == 1 else None
        outcomes.append(merged or merge_proportion(chunk_outcomes, rows))
    return sorted(outcomes, key=lambda o: o.index)
