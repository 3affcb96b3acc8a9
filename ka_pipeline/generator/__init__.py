"""Deterministic sample-data generator: writes the landing-area files of the contract.

    from ka_pipeline.generator import generate, default_date_range
    summary = generate(landing_dir, start=..., end=..., seed=42, scale=1.0, defects=0.0)

`scale=1.0` is about 500 key accounts and 50k order lines over three years; events are
drawn month by month and written day by day, so memory does not grow with the scale's
number of rows. `defects` (0..1) injects the realistic export defects listed in
`ka_pipeline.generator.defects`, each counted in the summary.
"""

from ka_pipeline.generator.core import (
    GenerationSummary,
    account_paths,
    default_date_range,
    generate,
)

__all__ = ["GenerationSummary", "account_paths", "default_date_range", "generate"]
