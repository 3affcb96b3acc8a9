"""All dbt models, seeds and tests as one `@dbt_assets` step (`dbt build`).

The step passes the run's days to dbt as the incremental facts' window (`window.py`); a
run without partitions, or with `full_refresh`, rebuilds everything.

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
from ka_pipeline.defs.dbt.window import DbtWindow, window_from_tags
from ka_pipeline.defs.partitions import last_complete_day
from ka_pipeline.defs.resources import WAREHOUSE_POOL, LandingArea


class DbtBuildConfig(Config):
    """Run config of the dbt step."""

    full_refresh: bool = Field(
        default=False,
        description="Rebuild the incremental facts from scratch (--full-refresh, no window).",
    )
    unit_tests: bool = Field(
        default=False,
        description="Also run the dbt unit tests. They test the SQL logic on fixed inputs, so "
        "their outcome does not depend on the data: `make test` runs them, a nightly run "
        "skips them.",
    )
    dbt_vars: dict[str, Any] = Field(
        default_factory=dict,
        description="Overrides of the parameters in dbt_project.yml `vars:` "
        "(e.g. {'as_of_date': '2026-06-30', 'rfm_window_months': 6}); they win over the "
        "window (min_date / max_date) computed from the run's partitions.",
    )


def dbt_run_vars(config: DbtBuildConfig, window: DbtWindow | None) -> dict[str, Any]:
    """The --vars of the run: the window and `check_scope: window` (none under
    full_refresh: the tests then read whole tables), then the user's vars."""
    windowed = window is not None and not config.full_refresh
    scoped = {**window.as_vars(), "check_scope": "window"} if windowed else {}
    return {**scoped, **config.dbt_vars}


def dbt_build_args(config: DbtBuildConfig, window: DbtWindow | None = None) -> list[str]:
    args = ["build"]
    dbt_vars = dbt_run_vars(config, window)
    if dbt_vars:
        args += ["--vars", json.dumps(dbt_vars, sort_keys=True)]
    if config.full_refresh:
        args.append("--full-refresh")
    if not config.unit_tests:
        args += ["--exclude-resource-type", "unit_test"]
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
    landing: LandingArea,
    config: DbtBuildConfig,
):
    window = window_from_tags(context.run.tags, last_complete_day(landing.timezone))
    args = dbt_build_args(config, window)
    run_vars = dbt_run_vars(config, window)
    context.log.info(
        f"incremental window {run_vars['min_date']} .. {run_vars['max_date']}, "
        f"check_scope {run_vars.get('check_scope', 'full')}"
        if run_vars.get("min_date") and run_vars.get("max_date") and not config.full_refresh
        else "no incremental window: the facts are rebuilt from everything"
    )
    invocation = dbt.cli(args, context=context, raise_on_error=False)
    # dbt holds the DuckDB file until it exits: buffer its events, then read the warehouse
    events = list(invocation.stream())
    yield from with_table_metadata(
        events, invocation.manifest, _compiled_sql(invocation), warehouse
    )
    if not invocation.is_successful():
        raise Failure(
            description="dbt build failed: " + _failures(invocation),
            metadata={"dbt_command": " ".join(["dbt", *args])},
        )


def _compiled_sql(invocation) -> dict[str, str]:
    results = invocation.get_artifact("run_results.json").get("results", [])
    return {r["unique_id"]: r["compiled_code"] for r in results if r.get("compiled_code")}


def _failures(invocation) -> str:
    results = invocation.get_artifact("run_results.json").get("results", [])
    failed = [
        f"{r['unique_id']} ({r['status']}): {(r.get('message') or '').strip()[:200]}"
        for r in results
        if r.get("status") in ("error", "fail")
    ]
    return "; ".join(failed) or "see the dbt logs of this step"
