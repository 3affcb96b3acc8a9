"""Data quality: Great Expectations suites (JSON in `expectations/`) run on pandas frames.

Pure Python, no Dagster:

- `suites`   load and validate the suite files (plain JSON, no GX import);
- `frames`   read the frame a suite validates from DuckDB (one raw batch, or a whole mart),
             with the typed / derived columns and the outside-the-frame parameters
             (recent row counts, known keys, fact revenue) its expectations use;
- `chunks`   validate a raw batch of many days chunk by chunk (whole days, a row budget)
             and merge the chunks' results into one per expectation;
- `runner`   run a suite on a frame with GX 1.x (imported lazily, no progress bars);
- `results`  turn GX's result into a `SuiteResult`: failed expectations by severity,
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
