"""Maps dbt resources onto Dagster assets so lineage is one graph from landing file to mart.

- dbt sources are the extraction assets (`raw/<system>/<entity>`), not separate nodes;
  the source `analytics` is the tables of the analytics stage (`marts/<table>`);
- models are keyed and grouped by their layer folder (`core/dim_accounts`, `marts/...`);
- seeds are reference data in the staging group; owners come from `meta.owner`;
- a model's dbt tests are one asset check, `dbt_tests` (`test_checks.py`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dagster import AssetCheckSpec, AssetKey, AssetSpec
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings

from ka_pipeline.defs.dbt.test_checks import ModelTests, tests_by_asset

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
        self._tests: tuple[Mapping[str, Any], dict[AssetKey, ModelTests]] | None = None

    def model_tests(self, manifest: Mapping[str, Any], project) -> dict[AssetKey, ModelTests]:
        """The dbt tests of each asset, computed once per manifest."""
        if self._tests is None or self._tests[0] is not manifest:
            self._tests = (manifest, tests_by_asset(manifest, self, project))
        return self._tests[1]

    def get_asset_check_spec(
        self, asset_spec: AssetSpec, manifest: Mapping[str, Any], unique_id: str, project
    ) -> AssetCheckSpec | None:
        """Every test of a model maps onto the model's one `dbt_tests` check."""
        if super().get_asset_check_spec(asset_spec, manifest, unique_id, project) is None:
            return None
        return self.model_tests(manifest, project)[asset_spec.key].spec()

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
