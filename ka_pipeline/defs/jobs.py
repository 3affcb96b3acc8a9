"""Jobs: what a run materializes."""

from dagster import AssetSelection, define_asset_job

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
