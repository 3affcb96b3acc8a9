"""Run a suite on a frame, or on a raw batch (see `raw_batch`), with Great Expectations 1.x.

GX is imported on first use only (the import takes several seconds, so the code location and
runs without checks never pay it) with its usage statistics off, into one ephemeral (in-memory)
data context per process with progress bars off. The frame is validated through a pandas
"whole dataframe" batch: GX's SQL datasource misreports on DuckDB, and a frame read from
DuckDB also lets a mart's share columns be computed first (see `frames`).

GX's public API only. GX fingerprints each pandas batch (a hash of its rows) for a batch
marker nothing here reads; raw suites hand GX no rows (the schema is checked on a zero-row
frame, the row count on a column-less one, the non-null proportions are counted in SQL),
so that hash costs only on the marts' frames.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from typing import Any

from ka_pipeline.quality.frames import Batch
from ka_pipeline.quality.raw_batch import RawBatch, validate_raw
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


def observe(suite: Suite, batch: Batch, indices: list[int]) -> list[ExpectationOutcome]:
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


def validate(suite: Suite, batch: Batch | RawBatch) -> SuiteResult:
    """Validate the batch against `suite` with the batch's parameters: one frame, or a
    `batch: partitions` batch of raw rows (see `raw_batch`)."""
    started = time.perf_counter()
    if isinstance(batch, RawBatch):
        outcomes = validate_raw(suite, batch, observe)
    else:
        outcomes = observe(suite, batch, list(range(len(suite.expectations))))
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
    )
