"""The DuckDB warehouse's raw layer as parquet folders a Spark table can sit on."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb


def export_raw(warehouse: Path, directory: Path) -> list[str]:
    """Write every table of the warehouse's `raw` schema to `<directory>/<table>/`.

    The folder is replaced as a whole (written next to it, then renamed), so Spark never
    sees a mix of two exports. Returns the table names exported.
    """
    if not warehouse.exists():
        raise FileNotFoundError(f"{warehouse}: no DuckDB warehouse to export the raw layer from")
    staging = directory.with_name(directory.name + ".partial")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        tables = [
            name
            for (name,) in conn.execute(
                "select table_name from information_schema.tables "
                "where table_schema = 'raw' and table_type = 'BASE TABLE' order by 1"
            ).fetchall()
        ]
        if not tables:
            raise LookupError(f"{warehouse}: the raw schema is empty, run `ka-pipeline run` first")
        for table in tables:
            (staging / table).mkdir()
            target = (staging / table / "part-0.parquet").as_posix().replace("'", "''")
            conn.execute(f"copy raw.\"{table}\" to '{target}' (format parquet)")
    shutil.rmtree(directory, ignore_errors=True)
    staging.rename(directory)
    return tables
