"""Read the batch a suite validates: one frame, or a raw batch of days, with its parameters."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import duckdb

from ka_pipeline.quality.frames import (
    Batch,
    add_derived_columns,
    derived_input,
    latest_load,
    query_frame,
)
from ka_pipeline.quality.parameters import PROVIDERS
from ka_pipeline.quality.raw_batch import RawBatch, plan
from ka_pipeline.quality.suites import Suite


def read_batch(
    conn: duckdb.DuckDBPyConnection,
    suite: Suite,
    days: Sequence[date] | None = None,
) -> Batch | RawBatch:
    """What the suite validates: for `batch: partitions`, the rows delivered for the business
    days `days` (default: the days of the entity's latest load) and, when that load was
    undated, all of its rows, left in the warehouse (see `raw_batch`); for `batch: table`,
    the whole table as one frame."""
    batch: Batch | RawBatch
    if suite.batch == "partitions":
        latest_days, undated = latest_load(conn, suite)
        days = tuple(sorted(set(days))) if days else latest_days
        if not days and not undated:
            raise LookupError(f"{suite.table}: nothing loaded yet, no batch to validate")
        batch = plan(conn, suite, days, undated=undated)
    else:
        frame = add_derived_columns(suite, query_frame(conn, f"select * from {suite.table}"))
        description = f"{suite.table}, whole table: {len(frame):,} rows"
        sources = {name: derived_input(name, spec) for name, spec in suite.derived_columns.items()}
        batch = Batch(frame, {}, description, None, [], sources)
    for name, spec in suite.parameters.items():
        provider = PROVIDERS[spec["provider"]]
        batch.parameters.update(provider(conn, suite, batch, name, spec))
    return batch
