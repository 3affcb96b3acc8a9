"""Validate a `batch: partitions` (raw) suite on every delivered row of its days.

A backfill or a full build validates every delivered row of its days: three years of order
lines at once. A raw suite checks the delivery as delivered, so it has three kinds of
expectation, and none of them needs the rows in Python:

- table schema (`expect_table_columns_*`, `expect_table_column_count_*`,
  `expect_column_to_exist`): GX, on a zero-row frame with every column of the table.
- table row count (`expect_table_row_count_*`): GX, on a column-less frame of the batch's
  row count. The `recent_row_count` bounds are those of the whole batch's days.
- `expect_column_proportion_of_non_null_values_to_be_between`: one SQL aggregate over the
  batch in DuckDB (`count(column)` for every such column, and the batch's rows), judged by
  GX's rule (`results.outcome_from_count`). That is what GX computes from a frame (non-null
  values over rows), without reading the rows into pandas: at 10M order lines the frames
  cost the raw step 79 s of a full build. tests/test_quality_raw_batch.py proves the
  outcomes equal GX's on the whole frame, including a column the table lacks.

Anything else is refused, naming the suite file and the expectation: a rule on typed
values is a `delivered_*` dbt test on the base_ model.

An undated delivery (a file whose name has no date, e.g. one export of the whole history:
its rows have no `_partition_date`) belongs to no business day. When the entity's latest
load was undated, its rows join the batch, so every delivered row is validated, not none.

Severity rules (empty batch, too few rows to block) are applied afterwards, on the whole
batch (`results.judge`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import duckdb

from ka_pipeline.quality.frames import Batch, describe_days, query_frame, quoted
from ka_pipeline.quality.results import ExpectationOutcome, outcome_from_count
from ka_pipeline.quality.suites import Suite

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
_UNDATED = "_partition_date is null"


@dataclass
class RawBatch:
    """The rows delivered for `days` (and the undated rows) in the suite's raw table."""

    conn: duckdb.DuckDBPyConnection
    suite: Suite
    days: tuple[date, ...]
    rows: int
    undated_rows: int = 0
    parameters: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def description(self) -> str:
        parts = [describe_days(self.days)] if self.days else []
        if self.undated_rows:
            parts.append(f"the undated delivery ({self.undated_rows:,} rows)")
        return f"{self.suite.table}, {' and '.join(parts)}: {self.rows:,} rows"

    def schema_frame(self) -> Batch:
        """Zero rows, every column of the table."""
        frame = query_frame(self.conn, f"select * from {self.suite.table} limit 0")
        return self._whole_batch(frame)

    def row_count_frame(self) -> Batch:
        """No columns, the batch's number of rows (a RangeIndex: no memory per row)."""
        import pandas as pd

        return self._whole_batch(pd.DataFrame(index=pd.RangeIndex(self.rows)))

    def non_null_counts(self, columns: list[str]) -> dict[str, int]:
        """Non-null values of each of `columns` in the batch's rows: one scan."""
        if not columns:
            return {}
        where = [_IN_DAYS] if self.days else []
        where += [_UNDATED] if self.undated_rows else []
        counts = ", ".join(f"count({quoted(c)})" for c in columns)
        row = self.conn.execute(
            f"select {counts} from {self.suite.table} where {' or '.join(where) or 'false'}",
            [list(self.days)] if self.days else [],
        ).fetchone()
        return {c: int(n) for c, n in zip(columns, row, strict=True)}

    def _whole_batch(self, frame) -> Batch:
        """`frame` standing for the whole batch (its description, days and parameters)."""
        return Batch(frame, self.parameters, self.description, self.days, self.notes)


def plan(
    conn: duckdb.DuckDBPyConnection,
    suite: Suite,
    days: tuple[date, ...],
    *,
    undated: bool = False,
) -> RawBatch:
    """The batch of `days`, and with `undated` the undated rows; refuses a suite with an
    expectation this module has no rule for."""
    _refuse_unsupported(suite)
    (dated,) = conn.execute(
        f"select count(*) from {suite.table} where {_IN_DAYS}", [list(days)]
    ).fetchone()
    undated_rows = 0
    if undated:
        (undated_rows,) = conn.execute(
            f"select count(*) from {suite.table} where {_UNDATED}"
        ).fetchone()
    return RawBatch(conn, suite, days, int(dated) + int(undated_rows), int(undated_rows))


def _refuse_unsupported(suite: Suite) -> None:
    if suite.derived_columns:
        raise ValueError(
            f"{suite.relative_path}: derived columns are computed on the whole frame; they "
            "are for `batch: table` suites, not for `batch: partitions` suites"
        )
    for i, expectation in enumerate(suite.expectations):
        kind = expectation["type"]
        if kind not in SCHEMA_TYPES | ROW_COUNT_TYPES | PROPORTION_TYPES:
            raise ValueError(
                f"{suite.relative_path}: expectation {i} ({kind}) has no rule on a "
                "`batch: partitions` suite (see quality/raw_batch.py); a rule on typed "
                "values is a delivered_* dbt test on the base_ model"
            )
        if kind in PROPORTION_TYPES and any(
            isinstance(v, dict) for v in expectation.get("kwargs", {}).values()
        ):
            raise ValueError(
                f"{suite.relative_path}: expectation {i} ({kind}) is evaluated in SQL; its "
                "bounds must be numbers, not $PARAMETER expressions"
            )


Observe = Callable[[Suite, Batch, list[int]], list[ExpectationOutcome]]


def validate_raw(suite: Suite, batch: RawBatch, observe: Observe) -> list[ExpectationOutcome]:
    """The suite's outcomes on the whole batch (not yet judged). `observe(suite, batch,
    indices)` runs GX on a frame: here only the zero-row schema and row-count frames."""
    types = {i: e["type"] for i, e in enumerate(suite.expectations)}
    schema = [i for i, t in types.items() if t in SCHEMA_TYPES]
    counted = [i for i, t in types.items() if t in ROW_COUNT_TYPES]
    proportions = [i for i, t in types.items() if t in PROPORTION_TYPES]
    schema_frame = batch.schema_frame()
    outcomes = observe(suite, schema_frame, schema) if schema else []
    outcomes += observe(suite, batch.row_count_frame(), counted) if counted else []
    columns = [suite.expectations[i]["kwargs"]["column"] for i in proportions]
    present = set(schema_frame.frame.columns)
    counts = batch.non_null_counts(sorted({c for c in columns if c in present}))
    outcomes += [
        outcome_from_count(suite, i, counts.get(column), batch.rows)
        for i, column in zip(proportions, columns, strict=True)
    ]
    return sorted(outcomes, key=lambda o: o.index)
