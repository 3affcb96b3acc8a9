"""`publish/bi_release`: a consistent release of the BI-facing marts, after the gates pass."""

from datetime import timedelta

from dagster import (
    AssetExecutionContext,
    AssetKey,
    FreshnessPolicy,
    MaterializeResult,
    MetadataValue,
    ResourceParam,
    asset,
)
from dagster_duckdb import DuckDBResource

from ka_pipeline.defs.quality.gate import CheckStatus, assert_upstream_checks_passed
from ka_pipeline.defs.resources import WAREHOUSE_POOL, CodeLocationGraph, ServingResource
from ka_pipeline.serving import SERVED_TABLES, ServingArea, publish_release

BI_RELEASE_KEY = AssetKey(["publish", "bi_release"])
PUBLISH_GROUP = "publish"
# dbt asset keys are <layer folder>/<model> (ka_pipeline/defs/dbt/translator.py)
SERVED_KEYS = [AssetKey([table.schema, table.name]) for table in SERVED_TABLES]


@asset(
    key=BI_RELEASE_KEY,
    group_name=PUBLISH_GROUP,
    deps=SERVED_KEYS,
    kinds={"duckdb", "parquet"},
    owners=["team:analytics-engineering"],
    # reads the warehouse file: never while a step writes it
    pool=WAREHOUSE_POOL,
    # BI tools read the last release: a nightly publish missed once warns, twice fails
    freshness_policy=FreshnessPolicy.time_window(
        warn_window=timedelta(hours=30), fail_window=timedelta(hours=54)
    ),
    description=(
        "Release of the BI-facing marts and dimensions for BI tools: "
        "`<output>/serving/releases/<release_id>/` with `serving.duckdb` (tables in schemas "
        "marts, core, meta), one Parquet file per table and `manifest.json` (run id, as-of "
        "date, parameters, row counts, checksums, check results). Written aside and switched "
        "in atomically (`serving/current`), only after every blocking upstream check passed; "
        "the last KA_SERVING_KEEP_RELEASES releases are kept for `ka-pipeline rollback`."
    ),
)
def bi_release(
    context: AssetExecutionContext,
    serving: ServingResource,
    warehouse: DuckDBResource,
    code_location: ResourceParam[CodeLocationGraph],
) -> MaterializeResult:
    # the gate first: nothing is written when a blocking check upstream failed or never ran
    statuses = assert_upstream_checks_passed(
        context, SERVED_KEYS, asset_graph=code_location.asset_graph()
    )
    release = publish_release(
        warehouse.database,
        serving.path,
        run_id=context.run_id,
        keep_releases=serving.keep_releases,
        checks=[_check_result(s) for s in statuses],
    )
    manifest = release.manifest
    context.log.info(
        f"Published release {release.release_id} (as of {manifest['as_of_date']}) in "
        f"{release.seconds:.1f} s; current was {release.previous_release_id or 'none'}"
    )
    if release.kept_in_use:
        context.log.warning(
            "Releases beyond retention kept because a reader has them open: "
            + ", ".join(release.kept_in_use)
        )
    tables = manifest["tables"]
    return MaterializeResult(
        metadata={
            "release_id": release.release_id,
            "release_path": MetadataValue.path(str(release.path)),
            "bi_connection_path": MetadataValue.path(
                str(ServingArea(serving.path).current_database)
            ),
            "as_of_date": manifest["as_of_date"],
            "previous_release_id": release.previous_release_id or "none",
            "tables": MetadataValue.md(
                "| table | rows | columns | sha256 (Parquet) |\n|---|---:|---:|---|\n"
                + "\n".join(
                    f"| {t['name']} | {t['rows']:,} | {t['columns']} | `{t['sha256'][:16]}…` |"
                    for t in tables
                )
            ),
            "row_counts": MetadataValue.json({t["name"]: t["rows"] for t in tables}),
            "checksums": MetadataValue.json({t["name"]: t["sha256"] for t in tables}),
            "checks": MetadataValue.json(
                {k: v for k, v in manifest["checks"].items() if k != "results"}
            ),
            "parameters": MetadataValue.json(manifest["parameters"]),
            "pruned_releases": ", ".join(release.pruned) or "none",
            "kept_in_use": ", ".join(release.kept_in_use) or "none",
            "dagster/row_count": sum(t["rows"] for t in tables),
            "publish_seconds": round(release.seconds, 2),
        }
    )


def _check_result(status: CheckStatus) -> dict:
    result = {
        "asset": status.key.asset_key.to_user_string(),
        "check": status.key.name,
        "state": status.state,
        "run_id": status.run_id,
    }
    if status.state != "passed" and status.description:
        result["description"] = status.description
    return result
