"""`build_definitions`: every Dagster definition of the project, bound to one `Settings`."""

from dagster import Definitions

from ka_pipeline.defs.analytics import analytics_models
from ka_pipeline.defs.automation.run_failure_alerts import run_failure_alerts
from ka_pipeline.defs.automation.schedules import (
    build_full_check_schedule,
    build_nightly_schedule,
)
from ka_pipeline.defs.automation.sensors import landing_files
from ka_pipeline.defs.dbt.assets import dbt_warehouse
from ka_pipeline.defs.delivery import build_delivery_asset
from ka_pipeline.defs.extract.assets import build_extract_assets
from ka_pipeline.defs.jobs import full_build_job, full_check_job
from ka_pipeline.defs.partitions import monthly_partitions, weekly_partitions
from ka_pipeline.defs.quality import quality_checks, with_source_freshness
from ka_pipeline.defs.report import build_weekly_report_asset, build_weekly_report_job
from ka_pipeline.defs.resources import CodeLocationGraph, build_resources
from ka_pipeline.defs.serving import bi_release
from ka_pipeline.settings import Settings


def build_definitions(settings: Settings) -> Definitions:
    """Every definition bound to `settings`: partitions, schedules and resources included
    (tests build them over temporary directories; nothing below reads the environment)."""
    weeks = weekly_partitions(settings)
    graph = CodeLocationGraph()
    definitions = Definitions(
        assets=[
            *with_source_freshness(build_extract_assets(monthly_partitions(settings))),
            dbt_warehouse,
            analytics_models,
            build_weekly_report_asset(weeks, settings.timezone),
            build_delivery_asset(weeks),
            bi_release,
        ],
        asset_checks=[*quality_checks],
        jobs=[full_build_job, full_check_job, build_weekly_report_job(weeks)],
        schedules=[
            build_nightly_schedule(settings.timezone),
            build_full_check_schedule(settings.timezone),
        ],
        sensors=[landing_files, run_failure_alerts],
        resources=build_resources(settings, graph),
    )
    graph.bind(definitions)
    return definitions
