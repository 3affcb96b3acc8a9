"""Jobs: what a run materializes."""

from dagster import AssetSelection, define_asset_job

full_build_job = define_asset_job(
    name="full_build",
    selection=AssetSelection.all(),
    description="Extract every source for the selected days, then dbt build the whole warehouse.",
)
