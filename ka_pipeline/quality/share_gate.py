"""When a share of failing rows may block: only when even the lower end of its confidence
interval is above the limit.

A share on a small batch is noisy: 3 bad lines of 27 are 11 %, yet the export may be as
good as one bad line in a hundred. The gate takes the one-sided Wilson score lower bound
of the share at z = `share_gate_z` (dbt_project.yml `vars:`, 1.645: 95 %), the same rule
as the delivered_* dbt tests (macro `wilson_lower_bound`), so a few bad rows on a small
day warn while a systemic share, or a whole bad file, still blocks.
"""

from __future__ import annotations

import math
from functools import cache

import yaml

from ka_pipeline.settings import DBT_PROJECT_DIR

SHARE_GATE_VAR = "share_gate_z"


@cache
def project_share_gate_z() -> float:
    """`share_gate_z` of dbt_project.yml `vars:`: one value for the GX suites and dbt."""
    project = yaml.safe_load((DBT_PROJECT_DIR / "dbt_project.yml").read_text(encoding="utf-8"))
    return float(project["vars"][SHARE_GATE_VAR])


def wilson_lower_bound(failing: int, total: int, z: float) -> float:
    """Lower end of the Wilson score interval of failing / total (0 for an empty batch)."""
    if total <= 0:
        return 0.0
    share = failing / total
    spread = z * math.sqrt(share * (1 - share) / total + z * z / (4 * total * total))
    return (share + z * z / (2 * total) - spread) / (1 + z * z / total)
