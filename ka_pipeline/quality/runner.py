"""Run a suite on a frame, or on a chunked batch frame by frame, with Great Expectations 1.x.

GX is imported on first use only (the import takes several seconds, so the code location and
runs without checks never pay it) with its usage statistics off, into one ephemeral (in-memory)
data context per process with progress bars off. The frame is validated through a pandas
"whole dataframe" batch: GX's SQL datasource misreports on DuckDB, and a frame read from
DuckDB also lets a mart's share columns be computed first (see `frames`).

GX's public API only. GX fingerprints each pandas batch (a hash of its rows) for a batch
marker nothing here reads; that used to be switched off by patching a module constant,
which is gone: the raw frames now hold only the columns a non-null proportion needs (the
schema is checked on a zero-row frame, the row count on a column-less one), so the hash
over a chunk of at most `chunks.CHUNK_ROWS` rows is a small part of a validation.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from typing import Any

from ka_pipeline.quality.chunks import ChunkedBatch, validate_in_chunks
from ka_pipeline.quality.frames import Batch
from ka_pipeline.quality.results import ExpectationOutcome, SuiteResult, judge, outcome_from_gx
from ka_pipeline.quality.suites import Suite

RESULT_FORMAT = {"result_format": "BASIC", "partial_unexpected_count": 20}


@dataclass(frozen=True)
class _Runtime:
    gx: Any
    batch_definition: Any


_runtime: _Runtime | None = None


def gx_runtime() -> _Runtime:
    """The process's GX context (created on first call; the GX import happens here)."""
    global _runtime
    if _runtime is None:
        os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
        import great_expectations as gx
        from great_expectations.data_context.types.base import ProgressBarsConfig

        context = gx.get_context(mode="ephemeral")
        context.variables.progress_bars = ProgressBarsConfig(
            globally=False, metric_calculations=False
        )
        batch_definition = (
            context.data_sources.add_pandas("ka_quality")
            .add_dataframe_asset("frame")
            .add_batch_definition_whole_dataframe("whole_frame")
        )
        _runtime = _Runtime(gx=gx, batch_definition=batch_definition)
    return _runtime


def _observe(suite: Suite, batch: Batch, indices: list[int]) -> list[ExpectationOutcome]:
    """GX's outcomes of the expectations `indices` of `suite` on `batch.frame` (not judged)."""
    runtime = gx_runtime()
    gx_json = suite.gx_json()
    gx_json["expectations"] = [gx_json["expectations"][i] for i in indices]
    gx_batch = runtime.batch_definition.get_batch(batch_parameters={"dataframe": batch.frame})
    result = gx_batch.validate(
        runtime.gx.ExpectationSuite(**gx_json),
        result_format=RESULT_FORMAT,
        expectation_parameters={k: v for k, v in batch.parameters.items() if v is not None},
    )
    return [outcome_from_gx(suite, batch, r) for r in result.results]


def validate(suite: Suite, batch: Batch | ChunkedBatch) -> SuiteResult:
    """Validate the batch against `suite` with the batch's parameters: one frame, or a
    `batch: partitions` batch chunk by chunk (see `chunks`)."""
    started = time.perf_counter()
    if isinstance(batch, ChunkedBatch):
        outcomes = validate_in_chunks(suite, batch, _observe)
        chunks = len(batch.chunks)
    else:
        outcomes = _observe(suite, batch, list(range(len(suite.expectations))))
        chunks = 1
    outcomes = sorted((judge(suite, o, batch.rows) for o in outcomes), key=lambda o: o.index)
    return SuiteResult(
        suite=suite,
        description=batch.description,
        rows=batch.rows,
        outcomes=outcomes,
        notes=list(batch.notes),
        seconds=round(time.perf_counter() - started, 3),
        parameters={
            k: (f"{len(v)} values" if isinstance(v, list | tuple) else v)
            for k, v in batch.parameters.items()
        },
        chunks=chunks,
    )
