"""Run a suite on a frame with Great Expectations 1.x.

GX is imported on first use only (the import takes several seconds, so the code location and
runs without checks never pay it) with its usage statistics off, into one ephemeral (in-memory)
data context per process with progress bars off. The frame is validated through a pandas
"whole dataframe" batch: GX's SQL datasource misreports on DuckDB, and a frame read from
DuckDB also lets the typed / derived columns be computed first (see `frames`).
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from typing import Any

from ka_pipeline.quality.frames import Batch
from ka_pipeline.quality.results import SuiteResult, outcome_from_gx
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


def validate(suite: Suite, batch: Batch) -> SuiteResult:
    """Validate `batch.frame` against `suite` with the batch's parameters."""
    runtime = gx_runtime()
    started = time.perf_counter()
    gx_suite = runtime.gx.ExpectationSuite(**suite.gx_json())
    gx_batch = runtime.batch_definition.get_batch(batch_parameters={"dataframe": batch.frame})
    result = gx_batch.validate(
        gx_suite,
        result_format=RESULT_FORMAT,
        expectation_parameters={k: v for k, v in batch.parameters.items() if v is not None},
    )
    outcomes = sorted(
        (outcome_from_gx(suite, batch, r) for r in result.results), key=lambda o: o.index
    )
    return SuiteResult(
        suite=suite,
        description=batch.description,
        rows=len(batch.frame),
        outcomes=outcomes,
        notes=list(batch.notes),
        seconds=round(time.perf_counter() - started, 3),
        parameters={
            k: (f"{len(v)} values" if isinstance(v, list | tuple) else v)
            for k, v in batch.parameters.items()
        },
    )
