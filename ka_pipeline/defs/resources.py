"""Resources: the DuckDB warehouse and the dbt CLI, both pointed at the configured file."""

import sys
from contextlib import contextmanager
from pathlib import Path

import duckdb
from dagster import ConfigurableResource
from dagster._utils.backoff import backoff
from dagster_dbt import DbtCliResource
from dagster_duckdb import DuckDBResource

from ka_pipeline.defs.dbt.project import dbt_project
from ka_pipeline.settings import Settings

# Every step that writes the warehouse file runs in this Dagster concurrency pool; the
# instance config (dagster_home/dagster.yaml) limits it to one step at a time, because a
# DuckDB file admits a single writer process.
WAREHOUSE_POOL = "duckdb_warehouse"


class WarehouseResource(DuckDBResource):
    """The DuckDB warehouse file.

    Unlike `DuckDBResource.get_connection`, the connection is closed also when the step
    raises: a connection left open by a failed step would keep the file locked for the
    dbt subprocess that runs next in the same process. Opening retries with backoff while
    another process holds the file, so a run waits for the lock instead of failing.
    """

    @contextmanager
    def get_connection(self):
        conn = backoff(
            fn=duckdb.connect,
            retry_on=(RuntimeError, duckdb.IOException),
            kwargs={
                "database": self.database,
                "read_only": False,
                "config": {"custom_user_agent": "ka-pipeline", **self.connection_config},
            },
            max_retries=10,
        )
        try:
            yield conn
        finally:
            conn.close()


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
        "warehouse": WarehouseResource(
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
