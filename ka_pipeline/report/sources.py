"""The marts the weekly report reads: its only data source (and its Dagster dependencies).

The list is not kept here: it is the `depends_on` of the dbt exposure
`weekly_key_account_report` (dbt_project/models/exposures.yml), read from dbt's manifest
(built by `make setup`), so the report, its Dagster dependencies and dbt's lineage cannot
drift apart. A mart the report needs is added to the exposure.
"""

from __future__ import annotations

import json
from pathlib import Path

from ka_pipeline.settings import DBT_PROJECT_DIR

MARTS_SCHEMA = "marts"
REPORT_EXPOSURE = "weekly_key_account_report"
MANIFEST_PATH = DBT_PROJECT_DIR / "target" / "manifest.json"


def exposure_models(exposure: str, manifest_path: Path = MANIFEST_PATH) -> tuple[str, ...]:
    """The names of the models an exposure of the dbt manifest depends on, in its order."""
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    found = [e for e in manifest["exposures"].values() if e["name"] == exposure]
    if not found:
        raise LookupError(f"no dbt exposure {exposure!r} in {manifest_path}")
    return tuple(manifest["nodes"][node]["name"] for node in found[0]["depends_on"]["nodes"])


MARTS_READ: tuple[str, ...] = exposure_models(REPORT_EXPOSURE)
