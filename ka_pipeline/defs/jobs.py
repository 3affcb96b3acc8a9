"""Jobs: what a run materializes."""

from dagster import AssetSelection, define_asset_job

from ka_pipeline.defs.dbt.assets import dbt_warehouse

full_build_job = define_asset_job(
    name="full_build",
    # the weekly report has weekly partitions and its own job (ka_pipeline/defs/report)
    selection=AssetSelection.all() - AssetSelection.groups("reports"),
    description=(
        "Extract every source for the selected days, dbt build the whole warehouse, fit the "
        "analytics models on the marts (group analytics), then publish the BI release "
        "(publish/bi_release) once the quality gates pass."
    ),
)

full_check_job = define_asset_job(
    name="full_check",
    # no partition: dbt gets no window, so every model is built from all delivered rows and
    # every dbt test reads its whole table (check_scope full, dbt_project.yml)
    selection=AssetSelection.assets(dbt_warehouse),
    description=(
        "Weekly: dbt build without a window. The incremental models are rebuilt from every "
        "delivered row and every dbt test checks its whole table, where the nightly runs "
        "check only their window's rows (docs/operating.md)."
    ),
)
