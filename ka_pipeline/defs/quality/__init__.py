"""Data-quality definitions: GX suites as asset checks, the report / publish gate, freshness.

- `quality_checks`: the raw and mart Great Expectations checks (see `checks`);
- `with_source_freshness`: the extraction assets with their freshness policies (`freshness`);
- `assert_upstream_checks_passed`: the gate report and publish assets call first (`gate`).
"""

from ka_pipeline.defs.dbt.assets import dbt_warehouse
from ka_pipeline.defs.quality.checks import build_gx_checks, build_quality_checks
from ka_pipeline.defs.quality.freshness import SOURCE_FRESHNESS, with_source_freshness
from ka_pipeline.defs.quality.gate import assert_upstream_checks_passed, upstream_check_failures

quality_checks = build_quality_checks(set(dbt_warehouse.keys))

__all__ = [
    "SOURCE_FRESHNESS",
    "assert_upstream_checks_passed",
    "build_gx_checks",
    "quality_checks",
    "upstream_check_failures",
    "with_source_freshness",
]
