"""All dbt models, seeds and tests as one `@dbt_assets` step (`dbt build`).

No `from __future__ import annotations` here: Dagster resolves the Config annotation at
decoration time.
"""

import json
from typing import Any

from dagster import AssetExecutionContext, Config, Failure
from dagster_dbt import DbtCliResource, dbt_assets
from dagster_duckdb import DuckDBResource
from pydantic import Field

from ka_pipeline.defs.dbt.metadata import with_table_metadata
from ka_pipeline.defs.dbt.project import dbt_project
from ka_pipeline.defs.dbt.translator import KaDbtTranslator
from ka_pipeline.defs.resources import WAREHOUSE_POOL


class DbtBuildConfig(Config):
    """Run config of the dbt step."""

    full_refresh: bool = Field(
        default=False, description="Rebuild incremental models from scratch (--full-refresh)."
    )
    dbt_vars: dict[str, Any] = Field(
        default_factory=dict,
        description="Overrides of the parameters in dbt_project.yml `vars:` "
        "(e.g. {'as_of_date': '2026-06-30', 'rfm_window_months': 6}).",
    )


def dbt_build_args(config: DbtBuildConfig) -> list[str]:
    args = ["build"]
    if config.dbt_vars:
        args += ["--vars", json.dumps(config.dbt_vars, sort_keys=True)]
    if config.full_refresh:
        args.append("--full-refresh")
    return args


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    dagster_dbt_translator=KaDbtTranslator(),
    pool=WAREHOUSE_POOL,
    name="dbt_warehouse",
)
def dbt_warehouse(
    context: AssetExecutionContext,
    dbt: DbtCliResource,
    warehouse: DuckDBResource,
    config: DbtBuildConfig,
):
    invocation = dbt.cli(dbt_build_args(config), context=context, raise_on_error=False)
    yield from with_table_metadata(invocation.stream(), invocation.manifest, warehouse)
    if not invocation.is_successful():
        raise Failure(
            description="dbt build failed: " + _failures(invocation),
            metadata={"dbt_command": " ".join(["dbt", *dbt_build_args(config)])},
        )


def _failures(invocation) -> str:
    results = invocation.get_artifact("run_results.json").get("results", [])
    failed = [
        f"{r['unique_id']} ({r['status']}): {(r.get('message') or '').strip()[:200]}"
        for r in results
        if r.get("status") in ("error", "fail")
    ]
    return "; ".join(failed) or "see the dbt logs of this step"
