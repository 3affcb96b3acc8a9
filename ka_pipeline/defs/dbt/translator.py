"""Maps dbt resources onto Dagster assets so lineage is one graph from landing file to mart.

- dbt sources are the extraction assets (`raw/<system>/<entity>`), not separate nodes;
  the source `analytics` is the tables of the analytics stage (`marts/<table>`);
- models are keyed and grouped by their layer folder (`core/dim_accounts`, `marts/...`);
- seeds are reference data in the staging group; owners come from `meta.owner`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dagster import AssetKey
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings

DEFAULT_OWNER = "team:analytics-engineering"
# tables written by the analytics stage, declared as a dbt source (models/marts/analytics/)
ANALYTICS_SOURCE = "analytics"


def _layer(props: Mapping[str, Any]) -> str:
    if props["resource_type"] == "seed":
        return "reference"
    fqn = props.get("fqn", [])
    return fqn[1] if len(fqn) > 2 else "models"


class KaDbtTranslator(DagsterDbtTranslator):
    def __init__(self) -> None:
        super().__init__(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True))

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            if dbt_resource_props["source_name"] == ANALYTICS_SOURCE:
                return AssetKey(["marts", dbt_resource_props["name"]])
            return AssetKey(["raw", dbt_resource_props["source_name"], dbt_resource_props["name"]])
        return AssetKey([_layer(dbt_resource_props), dbt_resource_props["name"]])

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        layer = _layer(dbt_resource_props)
        return "staging" if layer == "reference" else layer

    def get_owners(self, dbt_resource_props: Mapping[str, Any]) -> list[str]:
        owner = dbt_resource_props.get("meta", {}).get("owner") or dbt_resource_props.get(
            "config", {}
        ).get("meta", {}).get("owner")
        return [owner or DEFAULT_OWNER]
