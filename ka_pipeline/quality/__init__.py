"""Data quality: Great Expectations suites (JSON in `expectations/`): mart suites on pandas
frames, raw suites on their rows where they are, in DuckDB (`raw_batch`).

The suites hold what dbt's tests lack: the shape of a raw delivery before dbt runs (its
columns, row count, values present) and a mart as a whole (row counts, reconciliation,
distributions). Rules on typed values are dbt tests on the base_ staging models, so no
parsing rule is written here (tests/test_quality_layout.py).

Pure Python, no Dagster; modules import only each other's public names, without cycles:

- `suites`     load and validate the suite files (plain JSON, no GX import);
- `frames`     the frame type and reading helpers (whole tables, raw columns, load days);
- `parameters` values from outside the frame (recent row counts, fact revenue, seed codes);
- `raw_batch`  a raw suite on every delivered row of its days: schema and row count by GX,
               non-null proportions counted in one SQL aggregate;
- `batches`    read the batch a suite validates: one frame, or a raw batch;
- `runner`     run a suite on a batch with GX 1.x (imported lazily, no progress bars);
- `results`    turn GX's result into a `SuiteResult`: failed expectations by severity,
               counts, sample values and the delivered file / row they come from.

`ka_pipeline.defs.quality` turns these into Dagster asset checks.
"""

from ka_pipeline.quality.results import ExpectationOutcome, SuiteResult
from ka_pipeline.quality.suites import EXPECTATIONS_DIR, Suite, load_suite, load_suites

__all__ = [
    "EXPECTATIONS_DIR",
    "ExpectationOutcome",
    "Suite",
    "SuiteResult",
    "load_suite",
    "load_suites",
]
