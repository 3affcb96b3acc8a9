"""Publish a release of the BI-facing tables from the warehouse to the serving area.

The serving file holds real tables, not views over the Parquet files: it is then
self-contained (movable, mountable at any path in a BI container) and works in clients
that disable file access — the Metabase DuckDB driver opens databases with
`enable_external_access=false`, under which a view over `read_parquet(...)` fails. The
Parquet files are written from those same tables, for pandas / Evidence / Spark.
"""

from __future__ import annotations

import json
import os
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from ka_pipeline.serving.area import (
    MANIFEST_NAME,
    SERVING_DB_NAME,
    ServingArea,
    ServingError,
    fsync_dir,
    fsync_file,
)
from ka_pipeline.serving.retention import prune_releases
from ka_pipeline.serving.tables import SERVED_TABLES, ServedTable, assert_no_personal_data
from ka_pipeline.serving.verify import assert_release_intact, sha256_of

MANIFEST_FORMAT = 1
# serving.duckdb is written in DuckDB's v1.0.0 storage format, which every DuckDB since 1.0
# reads (the BI drivers bundle their own DuckDB, often older than the pipeline's); without
# it a file written by DuckDB 1.5 could only be opened by 1.5 or newer
SERVING_STORAGE_VERSION = "v1.0.0"
MIN_READER_VERSION = "1.0.0"


@dataclass(frozen=True)
class PublishedRelease:
    release_id: str
    path: Path
    manifest: dict
    previous_release_id: str | None
    pruned: list[str] = field(default_factory=list)
    kept_in_use: list[str] = field(default_factory=list)
    seconds: float = 0.0


def publish_release(
    warehouse_path: Path,
    serving_dir: Path,
    *,
    run_id: str,
    keep_releases: int,
    checks: Sequence[dict] = (),
) -> PublishedRelease:
    """Write a new release of `SERVED_TABLES`, make it current, prune old releases.

    `checks` are the quality-check results the release was gated on (recorded in the
    manifest as they are). A failure at any point leaves the previous release current.
    """
    if keep_releases < 1:
        raise ServingError(
            f"keep_releases must be at least 1 (KA_SERVING_KEEP_RELEASES), not {keep_releases}"
        )
    warehouse_path = Path(warehouse_path)
    if not warehouse_path.is_file():
        raise ServingError(f"{warehouse_path}: no warehouse file to publish from (build it first)")
    started = time.perf_counter()
    area = ServingArea(Path(serving_dir))
    with area.lock():
        area.ensure()
        area.clear_staging()
        previous = area.current_release_id()
        release_id = _new_release_id(area, run_id)
        staging = area.staging_dir / release_id
        staging.mkdir()
        manifest = _write_release(warehouse_path, staging, release_id, run_id, list(checks))
        assert_release_intact(staging, manifest)
        final = area.releases_dir / release_id
        os.replace(staging, final)
        fsync_dir(area.releases_dir)
        area.switch_current(release_id)
        pruned, in_use = prune_releases(area, keep_releases)
    return PublishedRelease(
        release_id=release_id,
        path=final,
        manifest=manifest,
        previous_release_id=previous,
        pruned=pruned,
        kept_in_use=in_use,
        seconds=time.perf_counter() - started,
    )


def _new_release_id(area: ServingArea, run_id: str) -> str:
    """Sortable and unique: UTC time of the publish plus the start of the run id."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    base = f"{stamp}-{re.sub(r'[^A-Za-z0-9]', '', run_id)[:8] or 'manual'}"
    candidate, n = base, 1
    while (area.releases_dir / candidate).exists():
        n += 1
        candidate = f"{base}-{n}"
    return candidate


def _write_release(
    warehouse_path: Path, folder: Path, release_id: str, run_id: str, checks: list[dict]
) -> dict:
    """serving.duckdb, the Parquet files and manifest.json in `folder`; returns the manifest."""
    started = time.perf_counter()
    published_at = datetime.now(UTC).isoformat(timespec="microseconds")
    database = folder / SERVING_DB_NAME
    with duckdb.connect() as conn:
        # the file format BI drivers read, whichever DuckDB wrote it (see SERVING_STORAGE_VERSION)
        conn.execute(
            f"attach {_literal(database)} as serving "
            f"(storage_version {_literal(SERVING_STORAGE_VERSION)})"
        )
        conn.execute("use serving")
        conn.execute(f"attach {_literal(warehouse_path)} as warehouse (read_only)")
        sources = _source_tables(conn)
        # one transaction: every table comes from the same state of the warehouse
        conn.execute("begin")
        run = _run_parameters(conn)
        for source in sources:
            _copy_table(conn, source)
        conn.execute("commit")
        conn.execute("detach warehouse")
        tables = [_export_parquet(conn, folder, source) for source in sources]
        _write_meta(conn, release_id, run_id, published_at, run, tables)
        conn.execute("checkpoint serving")
    manifest = {
        "format_version": MANIFEST_FORMAT,
        "release_id": release_id,
        "run_id": run_id,
        "published_at": published_at,
        "as_of_date": run["as_of_date"],
        "as_of_date_source": run["as_of_date_source"],
        "dbt_invocation_id": run["dbt_invocation_id"],
        "parameters": run["parameters"],
        "warehouse_path": str(warehouse_path.resolve()),
        "serving_database": SERVING_DB_NAME,
        "serving_storage_version": SERVING_STORAGE_VERSION,
        "min_duckdb_reader_version": MIN_READER_VERSION,
        "serving_database_sha256": sha256_of(database),
        "tables": tables,
        "checks": _check_summary(checks),
        "build_seconds": round(time.perf_counter() - started, 3),
    }
    for table in tables:
        fsync_file(folder / table["parquet"])
    fsync_file(database)
    manifest_path = folder / MANIFEST_NAME
    manifest_path.write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", "utf-8")
    fsync_file(manifest_path)
    return manifest


def _literal(value: object) -> str:
    return "'" + str(value).replace("'", "''") + "'"


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


@dataclass(frozen=True)
class _SourceTable:
    """A served table as found in the warehouse: its dbt documentation and columns."""

    table: ServedTable
    comment: str | None
    columns: list[tuple[str, str | None]]  # (name, comment), in order


def _source_tables(conn: duckdb.DuckDBPyConnection) -> list[_SourceTable]:
    """Every served table from the attached warehouse (two catalog queries, not one per
    table: the catalog functions scan every table of the warehouse each time), checked for
    personal data before anything is written."""
    schemas = ", ".join(_literal(s) for s in sorted({t.schema for t in SERVED_TABLES}))
    in_schemas = f"database_name = 'warehouse' and schema_name in ({schemas})"
    comments = {
        (schema, name): comment
        for schema, name, comment in conn.execute(
            f"select schema_name, table_name, comment from duckdb_tables() where {in_schemas}"
        ).fetchall()
    }
    columns: dict[tuple[str, str], list[tuple[str, str | None]]] = {}
    for schema, name, column, comment in conn.execute(
        "select schema_name, table_name, column_name, comment from duckdb_columns() "
        f"where {in_schemas} order by schema_name, table_name, column_index"
    ).fetchall():
        columns.setdefault((schema, name), []).append((column, comment))
    missing = [t.qualified for t in SERVED_TABLES if (t.schema, t.name) not in comments]
    if missing:
        raise ServingError(
            "The warehouse lacks table(s) a release needs: "
            + ", ".join(missing)
            + " (run the dbt build first); nothing was published."
        )
    sources = []
    for table in SERVED_TABLES:
        table_columns = columns[(table.schema, table.name)]
        assert_no_personal_data(table, [name for name, _ in table_columns])
        sources.append(_SourceTable(table, comments[(table.schema, table.name)], table_columns))
    return sources


def _run_parameters(conn: duckdb.DuckDBPyConnection) -> dict:
    rows = conn.execute(
        "select parameter_name, parameter_value, resolved_value, "
        "cast(as_of_date as varchar), as_of_date_source, dbt_invocation_id "
        "from warehouse.marts.mart_run_parameters order by sort_order"
    ).fetchall()
    if not rows:
        raise ServingError("warehouse marts.mart_run_parameters is empty: no as-of date to publish")
    return {
        "as_of_date": rows[0][3],
        "as_of_date_source": rows[0][4],
        "dbt_invocation_id": rows[0][5],
        "parameters": {
            name: {"value": value, "resolved": resolved} for name, value, resolved, *_ in rows
        },
    }


def _copy_table(conn: duckdb.DuckDBPyConnection, source: _SourceTable) -> None:
    table = source.table
    target = f"{_quoted(table.schema)}.{_quoted(table.name)}"
    conn.execute(f"create schema if not exists {_quoted(table.schema)}")
    # sorted on every column: a stable row order, so identical warehouses give
    # byte-identical Parquet files (a plain copy keeps whatever order the scan yields)
    conn.execute(f"create table {target} as select * from warehouse.{target} order by all")
    # keep dbt's documentation (persist_docs) so BI tools show it
    if source.comment:
        conn.execute(f"comment on table {target} is {_literal(source.comment)}")
    for name, comment in source.columns:
        if comment:
            conn.execute(f"comment on column {target}.{_quoted(name)} is {_literal(comment)}")


def _export_parquet(conn: duckdb.DuckDBPyConnection, folder: Path, source: _SourceTable) -> dict:
    table = source.table
    parquet = folder / table.parquet_path
    parquet.parent.mkdir(parents=True, exist_ok=True)
    target = f"{_quoted(table.schema)}.{_quoted(table.name)}"
    conn.execute(f"copy {target} to {_literal(parquet)} (format parquet, compression zstd)")
    rows = conn.execute(f"select count(*) from {target}").fetchone()[0]
    parquet_rows = conn.execute(
        f"select count(*) from read_parquet({_literal(parquet)})"
    ).fetchone()[0]
    if parquet_rows != rows:
        raise ServingError(f"{parquet}: {parquet_rows} rows written, {table.qualified} has {rows}")
    return {
        "name": table.qualified,
        "rows": rows,
        "columns": len(source.columns),
        "parquet": table.parquet_path,
        "bytes": parquet.stat().st_size,
        "sha256": sha256_of(parquet),
    }


def _write_meta(
    conn: duckdb.DuckDBPyConnection,
    release_id: str,
    run_id: str,
    published_at: str,
    run: dict,
    tables: list[dict],
) -> None:
    """`meta.release` (one row) and `meta.release_tables`: a BI query can show what it reads.

    Values are inlined as literals: binding parameters would make DuckDB import pandas."""
    conn.execute("create schema meta")
    conn.execute(
        f"create table meta.release as select {_literal(release_id)} as release_id, "
        f"{_literal(run_id)} as run_id, "
        f"cast({_literal(published_at)} as timestamp) as published_at_utc, "
        f"cast({_literal(run['as_of_date'])} as date) as as_of_date, "
        f"{_literal(run['dbt_invocation_id'])} as dbt_invocation_id"
    )
    conn.execute(
        "create table meta.release_tables (table_name varchar, row_count bigint, "
        "parquet_path varchar, parquet_sha256 varchar)"
    )
    values = ", ".join(
        "(" + ", ".join([_literal(t["name"]), str(int(t["rows"])), _literal(t["parquet"]),
                         _literal(t["sha256"])]) + ")"
        for t in tables
    )  # fmt: skip
    conn.execute(f"insert into meta.release_tables values {values}")
    conn.execute("comment on table meta.release is 'The release this file belongs to (one row).'")


def _check_summary(checks: list[dict]) -> dict:
    states: dict[str, int] = {}
    for check in checks:
        states[check.get("state", "unknown")] = states.get(check.get("state", "unknown"), 0) + 1
    return {"total": len(checks), "by_state": dict(sorted(states.items())), "results": checks}
