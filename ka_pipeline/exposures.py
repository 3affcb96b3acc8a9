"""The tables each consumer of the warehouse reads, from the dbt exposures.

`dbt_project/models/exposures.yml` is the one list of what the weekly report and the BI
release read; dbt docs show it as lineage, and the report and the release take their table
lists from the compiled manifest here, so the three can never disagree.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from ka_pipeline.settings import DBT_PROJECT_DIR

MANIFEST_PATH = DBT_PROJECT_DIR / "target" / "manifest.json"


class ManifestError(RuntimeError):
    """The dbt manifest is missing or lacks an exposure; says how to get it."""


@cache
def _manifest() -> dict[str, Any]:
    try:
        return json.loads(MANIFEST_PATH.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ManifestError(
            f"dbt manifest not found at {MANIFEST_PATH}: run `make setup` (or "
            "`ka-pipeline dbt parse`) to compile the dbt project"
        ) from None


def exposure_relations(exposure: str) -> tuple[tuple[str, str], ...]:
    """(schema, table) of every model the exposure depends on, in the YAML's order, then
    of every source it depends on (tables written outside dbt, such as the analytics
    stage's: `exposure_source_relations`)."""
    manifest = _manifest()
    nodes = (
        manifest["nodes"][uid]
        for uid in _exposure(exposure)["depends_on"]["nodes"]
        if uid in manifest["nodes"]
    )
    models = tuple((node["schema"], node.get("alias") or node["name"]) for node in nodes)
    return models + exposure_source_relations(exposure)


def exposure_source_relations(exposure: str) -> tuple[tuple[str, str], ...]:
    """(schema, table) of the dbt sources among the exposure's dependencies: tables that
    dbt documents but does not build."""
    manifest = _manifest()
    return tuple(
        (source["schema"], source.get("identifier") or source["name"])
        for source in (
            manifest["sources"][uid]
            for uid in _exposure(exposure)["depends_on"]["nodes"]
            if uid in manifest["sources"]
        )
    )


def source_documentation(source_name: str) -> dict[str, tuple[str, dict[str, str]]]:
    """table -> (description, {column: description}) of a dbt source's tables, so tables
    written outside dbt carry the same documentation as the models (persist_docs)."""
    return {
        source.get("identifier") or source["name"]: (
            source.get("description") or "",
            {name: column.get("description") or "" for name, column in source["columns"].items()},
        )
        for source in _manifest()["sources"].values()
        if source["source_name"] == source_name
    }


def _exposure(exposure: str) -> dict[str, Any]:
    manifest = _manifest()
    found = [e for e in manifest["exposures"].values() if e["name"] == exposure]
    if not found:
        raise ManifestError(
            f"exposure {exposure!r} not in {MANIFEST_PATH} (dbt_project/models/exposures.yml)"
        )
    return found[0]
