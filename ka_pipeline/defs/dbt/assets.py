"""All dbt models, seeds and tests as one `@dbt_assets` step (`dbt build`).

The step passes the run's days to dbt as the incremental facts' window (`window.py`); a
run without partitions, or with `full_refresh`, rebuilds everything.

No `from __future__ import annotations` here: Dagster resolves the Config annotation at
decoration time.
"""

import json
from pathlib import Path
from typing import Any

from dagster import AssetExecutionContext, Config, Failure
from dagster_dbt import DbtCliResource, dbt_assets
from dagster_duckdb import DuckDBResource
from pydantic import Field

from ka_pipeline.defs.dbt.metadata import with_table_metadata
from ka_pipeline.defs.dbt.project import dbt_project
from ka_pipeline.defs.dbt.test_checks import (
    CHECK_SCOPE_VAR,
    DBT_TESTS_CHECK,
    DEFAULT_CHECK_SCOPE,
    model_check_results,
)
from ka_pipeline.defs.dbt.translator import KaDbtTranslator
from ka_pipeline.defs.dbt.window import DbtWindow, window_from_tags
from ka_pipeline.defs.partitions import last_complete_day
from ka_pipeline.defs.resources import WAREHOUSE_POOL, LandingArea, WarehouseDbtResource
from ka_pipeline.salt_fingerprint import (
    PiiSaltChangedError,
    check_salt,
    count_changed_keys,
    record_salt,
)
from ka_pipeline.secrets import pii_salt

TRANSLATOR = KaDbtTranslator()


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
    rotate_pii_salt: bool = Field(
        default=False,
        description="Allow a PII salt other than the one the warehouse was built with: the "
        "build is a full refresh, every contact_hash_key changes, and the step logs how many. "
        "Without it such a build stops.",
    )


def rebuilds_everything(config: DbtBuildConfig) -> bool:
    """A full refresh, asked for or implied: a salt rotation changes the salted keys of
    every row, which an incremental run would re-hash only in its window."""
    return config.full_refresh or config.rotate_pii_salt


def dbt_run_vars(config: DbtBuildConfig, window: DbtWindow | None) -> dict[str, Any]:
    """The run's dbt parameters: the window and `check_scope: window` (none under a full
    refresh: the tests then read whole tables), then the user's vars."""
    windowed = window is not None and not rebuilds_everything(config)
    scoped = {**window.as_vars(), "check_scope": "window"} if windowed else {}
    return {**scoped, **config.dbt_vars}


# the run-scoped parameters and the environment variable each travels in (macro run_var)
RUN_ENV = {
    "min_date": "KA_RUN_MIN_DATE",
    "max_date": "KA_RUN_MAX_DATE",
    "batch_first_day": "KA_RUN_BATCH_FIRST_DAY",
    "check_scope": "KA_RUN_CHECK_SCOPE",
}


def dbt_run_env(config: DbtBuildConfig, window: DbtWindow | None) -> dict[str, str]:
    """The run-scoped parameters the user did not set, as environment variables of the
    dbt process (RUN_ENV): as --vars they would make dbt re-parse the project.

    Every name is set, empty when the run has no value (run_var then reads the var), so a
    KA_RUN_* left in the shell cannot give a full build a window."""
    run_vars = dbt_run_vars(config, window)
    run_only = run_vars.keys() - config.dbt_vars.keys()
    return {env: str(run_vars[name]) if name in run_only else "" for name, env in RUN_ENV.items()}


def dbt_build_args(config: DbtBuildConfig) -> list[str]:
    """The `dbt build` arguments; the window travels in dbt_run_env."""
    args = ["build"]
    if config.dbt_vars:
        args += ["--vars", json.dumps(config.dbt_vars, sort_keys=True)]
    if rebuilds_everything(config):
        args.append("--full-refresh")
    if not config.unit_tests:
        args += ["--exclude-resource-type", "unit_test"]
    return args


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    dagster_dbt_translator=TRANSLATOR,
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
    args = dbt_build_args(config)
    run_vars = dbt_run_vars(config, window)
    context.log.info(
        f"incremental window {run_vars['min_date']} .. {run_vars['max_date']}, "
        f"check_scope {run_vars.get('check_scope', 'full')}"
        if run_vars.get("min_date") and run_vars.get("max_date") and not rebuilds_everything(config)
        else "no incremental window: the facts are rebuilt from everything"
    )
    _refuse_checks_apart_from_models(context)
    rotated_from = _check_pii_salt(dbt, warehouse, config.rotate_pii_salt)
    run_env = dbt_run_env(config, window)
    invocation = dbt.cli(args, context=context, raise_on_error=False, run_env=run_env)
    # dbt holds the DuckDB file until it exits: buffer its events, then read the warehouse
    events = list(_model_events(invocation, context))
    results = invocation.get_artifact("run_results.json").get("results", [])
    yield from with_table_metadata(events, invocation.manifest, _compiled_sql(results), warehouse)
    yield from model_check_results(
        results,
        invocation.manifest,
        TRANSLATOR.model_tests(invocation.manifest, dbt_project),  # cached
        context.selected_asset_check_keys,
        run_vars.get(CHECK_SCOPE_VAR, DEFAULT_CHECK_SCOPE),
    )
    if rotated_from is not None and invocation.is_successful():
        with warehouse.get_connection() as conn:
            changed = count_changed_keys(conn)
        context.log.warning(f"PII salt rotated: {changed} contact_hash_key(s) changed")
    if not invocation.is_successful():
        raise Failure(
            description="dbt build failed: " + _failures(invocation),
            metadata={
                "dbt_command": " ".join([*(f"{k}={v}" for k, v in run_env.items()), "dbt", *args])
            },
        )


def _check_pii_salt(
    dbt: WarehouseDbtResource, warehouse: DuckDBResource, rotate: bool
) -> str | None:
    """Stop before dbt when the salt is too short or silently changed; record it otherwise.
    Returns the previous fingerprint when this build rotates the salt."""
    try:
        # the salt of the data directory dbt's plugin reads (Settings.dbt_env)
        salt = pii_salt(Path(dbt.env["KA_DATA_DIR"]))
        with warehouse.get_connection() as conn:
            rotated_from = check_salt(conn, salt, rotate=rotate)
            record_salt(conn, salt, rotated_from)
    except (PiiSaltChangedError, ValueError) as error:
        raise Failure(description=str(error)) from None
    return rotated_from


def _refuse_checks_apart_from_models(context: AssetExecutionContext) -> None:
    """A `dbt_tests` check runs with its model (dbt's indirect test selection): dagster-dbt
    selects a check apart from its asset by one dbt test, which a model's check is not."""
    checks = {k for k in context.selected_asset_check_keys if k.name == DBT_TESTS_CHECK}
    with_tests = {k.asset_key for k in context.assets_def.check_keys if k.name == DBT_TESTS_CHECK}
    selected = context.selected_asset_keys
    apart = {k.asset_key for k in checks} ^ (selected & with_tests)
    if checks and apart:
        raise Failure(
            description="dbt tests run with their model: select these models together with "
            "their dbt_tests checks (or no dbt_tests check at all): "
            + ", ".join(sorted(k.to_user_string() for k in apart))
        )


def _model_events(invocation, context: AssetExecutionContext):
    """dagster-dbt's events of every node but the tests of a model: their results are
    grouped per model after dbt exits (`test_checks.py`). A singular test on several models
    stays an observation on each, as dagster-dbt logs it."""
    grouped = TRANSLATOR.model_tests(invocation.manifest, dbt_project)
    model_tests = {uid for tests in grouped.values() for uid in tests.test_ids}
    for event in invocation.stream_raw_events():
        if event.raw_event["data"].get("node_info", {}).get("unique_id") in model_tests:
            continue
        yield from event.to_default_asset_events(
            manifest=invocation.manifest,
            dagster_dbt_translator=invocation.dagster_dbt_translator,
            context=context,
            target_path=invocation.target_path,
            project=invocation.project,
        )


def _compiled_sql(results) -> dict[str, str]:
    return {r["unique_id"]: r["compiled_code"] for r in results if r.get("compiled_code")}


def _failures(invocation) -> str:
    results = invocation.get_artifact("run_results.json").get("results", [])
    failed = [
        f"{r['unique_id']} ({r['status']}): {(r.get('message') or '').strip()[:200]}"
        for r in results
        if r.get("status") in ("error", "fail")
    ]
    return "; ".join(failed) or "see the dbt logs of this step"
