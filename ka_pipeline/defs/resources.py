"""Resources: the DuckDB warehouse and the dbt CLI, both pointed at the configured file."""

import sys
from pathlib import Path

from dagster import ConfigurableResource
from dagster_dbt import DbtCliResource
from dagster_duckdb import DuckDBResource

from ka_pipeline.defs.dbt.project import dbt_project
from ka_pipeline.settings import Settings

# Every step that writes the warehouse file runs in this Dagster concurrency pool; the
# instance config (dagster_home/dagster.yaml) limits it to one step at a time, because a
# DuckDB file admits a single writer process.
WAREHOUSE_POOL = "duckdb_warehouse"


class LandingArea(ConfigurableResource):
    """The folder the source systems deliver their exports to."""

    landing_dir: str
    timezone: str

    @property
    def path(self) -> Path:
        return Path(self.landing_dir)


def build_resources(settings: Settings) -> dict:
    settings.export_for_dbt()
    settings.warehouse_path.parent.mkdir(parents=True, exist_ok=True)
    return {
        "landing": LandingArea(landing_dir=str(settings.landing_dir), timezone=settings.timezone),
        "warehouse": DuckDBResource(
            database=str(settings.warehouse_path),
            connection_config={
                "memory_limit": settings.duckdb_memory_limit,
                "threads": settings.duckdb_threads,
            },
        ),
        "dbt": DbtCliResource(
            project_dir=dbt_project,
            # the dbt installed next to this interpreter, whatever PATH says
            dbt_executable=str(Path(sys.executable).parent / "dbt"),
        ),
    }
