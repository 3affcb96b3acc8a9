"""Operational settings: where files live and how DuckDB runs.

Metric parameters (windows, thresholds, as-of date) are not here: they live in the `vars:`
block of `dbt_project/dbt_project.yml`, next to the SQL that uses them. Everything here
comes from environment variables with defaults that work from a fresh clone.

| variable | default | meaning |
|---|---|---|
| KA_DATA_DIR | <repo>/data | root of landing, warehouse and outputs |
| KA_LANDING_DIR | $KA_DATA_DIR/landing | where source systems drop their exports |
| KA_WAREHOUSE_PATH | $KA_DATA_DIR/warehouse/warehouse.duckdb | the DuckDB warehouse file |
| KA_OUTPUT_DIR | $KA_DATA_DIR/outputs | reports and published releases |
| KA_TIMEZONE | Asia/Shanghai | business timezone of partitions and schedules |
| KA_PARTITIONS_START | 2023-01-01 | first daily partition |
| KA_DUCKDB_MEMORY_LIMIT | 4GB | DuckDB memory limit (extraction and dbt) |
| KA_DUCKDB_THREADS | 2 | DuckDB worker threads |
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    landing_dir: Path
    warehouse_path: Path
    output_dir: Path
    timezone: str
    partitions_start: str
    duckdb_memory_limit: str
    duckdb_threads: int

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        data_dir = Path(env.get("KA_DATA_DIR", REPO_ROOT / "data")).resolve()
        return cls(
            data_dir=data_dir,
            landing_dir=Path(env.get("KA_LANDING_DIR", data_dir / "landing")).resolve(),
            warehouse_path=Path(
                env.get("KA_WAREHOUSE_PATH", data_dir / "warehouse" / "warehouse.duckdb")
            ).resolve(),
            output_dir=Path(env.get("KA_OUTPUT_DIR", data_dir / "outputs")).resolve(),
            timezone=env.get("KA_TIMEZONE", "Asia/Shanghai"),
            partitions_start=env.get("KA_PARTITIONS_START", "2023-01-01"),
            duckdb_memory_limit=env.get("KA_DUCKDB_MEMORY_LIMIT", "4GB"),
            duckdb_threads=int(env.get("KA_DUCKDB_THREADS", "2")),
        )

    def export_for_dbt(self) -> None:
        """Make the dbt subprocess see the same warehouse file as the Python steps.

        dbt reads KA_WAREHOUSE_PATH from its environment (profiles.yml); setting it here,
        resolved to an absolute path, keeps both sides on one file whatever the cwd.
        """
        os.environ["KA_WAREHOUSE_PATH"] = str(self.warehouse_path)
        os.environ["KA_DUCKDB_MEMORY_LIMIT"] = self.duckdb_memory_limit
        os.environ["KA_DUCKDB_THREADS"] = str(self.duckdb_threads)
        os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
