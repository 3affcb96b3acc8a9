"""The code location: only loads and merges the definitions of each concern."""

from dagster import Definitions

from ka_pipeline.defs.automation.alerts import run_failure_alerts
from ka_pipeline.defs.automation.schedules import nightly_build
from ka_pipeline.defs.automation.sensors import landing_files
from ka_pipeline.defs.dbt.assets import dbt_warehouse
from ka_pipeline.defs.extract.assets import extract_assets
from ka_pipeline.defs.jobs import full_build_job
from ka_pipeline.defs.publish import publish_assets, publish_resources
from ka_pipeline.defs.quality import quality_checks, with_source_freshness
from ka_pipeline.defs.reports import (
    report_assets,
    report_resources,
    weekly_report_job,
    weekly_report_schedule,
)
from ka_pipeline.defs.resources import build_resources
from ka_pipeline.settings import Settings


def build_definitions(settings: Settings) -> Definitions:
    """Definitions bound to `settings` (tests build them over temporary directories)."""
    return Definitions(
        assets=[
            *with_source_freshness(extract_assets),
            dbt_warehouse,
            *report_assets,
            *publish_assets,
        ],
        asset_checks=[*quality_checks],
        jobs=[full_build_job, weekly_report_job],
        schedules=[nightly_build, weekly_report_schedule],
        sensors=[landing_files, run_failure_alerts],
        resources={
            **build_resources(settings),
            **report_resources(settings),
            **publish_resources(settings),
        },
    )


defs = build_definitions(Settings.from_env())
