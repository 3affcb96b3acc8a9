"""What the benchmark measures: data-set sizes, dates, cache location and targets.

The sizes are nominal order-line counts; the generator's `--scale` that yields them was
calibrated on this date range (scale 1 = 49.0k order lines over these three years), and
the actual counts are read back from the generator summary and reported.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from ka_pipeline.settings import REPO_ROOT

# Three years of daily files; the last day is held back and delivered as the "new night".
START = date(2023, 6, 16)
END = date(2026, 6, 15)
NEW_DAY = END
SEED = 42

CACHE_DIR = Path(os.environ.get("KA_BENCH_CACHE_DIR", REPO_ROOT / ".bench")).resolve()
RESULTS_JSON = REPO_ROOT / "bench" / "results.json"
BENCHMARKS_MD = REPO_ROOT / "BENCHMARKS.md"

# A fixed salt for the benchmark's throw-away warehouses, so the floor (a bare DuckDB
# process) can bind the same `ka_pii_salt` as the dbt plugin and hash contacts identically.
BENCH_PII_SALT = "ka-bench-not-a-secret-0000"


@dataclass(frozen=True)
class Size:
    label: str
    scale: float
    nominal_order_lines: int


SIZES = {
    "1M": Size("1M", 20.4, 1_000_000),
    "10M": Size("10M", 204.0, 10_000_000),
}

# Targets, as ratios so that they hold on a noisy machine. The pandas and DuckDB-script
# comparators are reported as plain ratios without a limit: a full build of every entity,
# with its tests and checks, cannot be expected to beat a script of three marts.
TARGETS = {
    "full_vs_floor_10M_max": 1.3,
    "incremental_share_10M_max": 0.10,
    "peak_rss_10M_max_gib": 3.0,
    "scaling_10M_vs_1M_max": 10.0,
    "definitions_load_max_s": 2.0,
}
