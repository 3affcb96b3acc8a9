"""Bulk-load delivered files into `raw.<system>__<entity>` with DuckDB's own readers.

Every delivered row is kept exactly as delivered (all columns as text) plus lineage
columns; typing and validation happen in dbt staging, so a bad value is quarantined with
its reason rather than failing the load. A file fails as a whole only when it cannot be
read at all (missing, undecodable, a required column absent from its header).

Loads are idempotent per file: reloading a business day first deletes that day's rows,
so the same file loaded twice is not duplicated and a corrected re-send replaces the day.
"""

from __future__ import annotations

import tempfile
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import duckdb

from ka_pipeline.extract.errors import LandingFileError
from ka_pipeline.extract.files import InspectedFile, inspect_file, normalise_column_name
from ka_pipeline.landing.contract import SourceEntity

LOAD_LOG_TABLE = "raw._load_log"


@dataclass(frozen=True)
class Delivery:
    """One file expected for an entity (and business day, for daily entities)."""

    path: Path
    partition_date: date | None


@dataclass
class FileLoad:
    source_file: str
    partition_date: date | None
    sha256: str
    encoding: str
    rows: int
    extra_columns: tuple[str, ...]


@dataclass
class LoadResult:
    entity: SourceEntity
    files: list[FileLoad] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return sum(f.rows for f in self.files)


def expected_deliveries(
    entity: SourceEntity, landing_dir: Path, days: list[date] | None
) -> list[Delivery]:
    """The files an entity must have delivered for `days` (the snapshot for non-daily ones)."""
    if not entity.daily:
        return [Delivery(entity.path_for(landing_dir), None)]
    if not days:
        raise ValueError(f"{entity.key} is daily: at least one business day is required")
    return [Delivery(entity.path_for(landing_dir, day), day) for day in days]


def load_deliveries(
    conn: duckdb.DuckDBPyConnection,
    entity: SourceEntity,
    deliveries: list[Delivery],
    landing_dir: Path,
) -> LoadResult:
    """Load `deliveries` of one entity in a single transaction; raise on unreadable files."""
    missing = [d.path for d in deliveries if not d.path.is_file()]
    if missing:
        shown = ", ".join(str(p) for p in missing[:5])
        more = f" (and {len(missing) - 5} more)" if len(missing) > 5 else ""
        raise LandingFileError(
            missing[0],
            "file_missing",
            f"{len(missing)} expected {entity.key} file(s) not delivered: {shown}{more}",
        )
    inspected = [(d, inspect_file(d.path, file_format=entity.file_format)) for d in deliveries]
    ensure_raw_table(conn, entity)
    result = LoadResult(entity)
    with tempfile.TemporaryDirectory(prefix="ka_extract_") as tmp:
        readable: list[tuple[Delivery, InspectedFile, str]] = []
        for delivery, info in inspected:
            read_path = _readable_path(info, Path(tmp))
            if read_path is not None:
                readable.append((delivery, info, read_path))
        conn.execute("begin transaction")
        try:
            _delete_previous(conn, entity, deliveries)
            _register_deliveries(conn, readable, landing_dir)
            for columns, group in _group_by_header(entity, readable).items():
                _insert_group(conn, entity, columns, [read_path for *_, read_path in group])
            counts = _row_counts_by_file(conn, entity, deliveries, landing_dir)
            for delivery, info in inspected:
                source_file = _relative(delivery.path, landing_dir)
                result.files.append(
                    FileLoad(
                        source_file=source_file,
                        partition_date=delivery.partition_date,
                        sha256=info.sha256,
                        encoding=info.encoding,
                        rows=counts.get(source_file, 0),
                        extra_columns=_extra_columns(entity, info),
                    )
                )
            _write_load_log(conn, entity, result)
            conn.execute("commit")
        except BaseException:
            conn.execute("rollback")
            raise
    return result


def ensure_raw_table(conn: duckdb.DuckDBPyConnection, entity: SourceEntity) -> None:
    """Create the raw table (and the load log) if absent; add columns the contract gained."""
    conn.execute("create schema if not exists raw")
    columns = [*entity.columns, *(["_raw_line"] if entity.file_format == "jsonl" else [])]
    column_ddl = ", ".join(f'"{c}" varchar' for c in columns)
    conn.execute(
        f"create table if not exists raw.{entity.table} ({column_ddl}, "
        "_source_file varchar not null, _row_number bigint not null, "
        "_file_sha256 varchar not null, _partition_date date, _loaded_at timestamp not null)"
    )
    existing = {
        row[0]
        for row in conn.execute(
            "select column_name from information_schema.columns "
            "where table_schema = 'raw' and table_name = ?",
            [entity.table],
        ).fetchall()
    }
    for column in columns:
        if column not in existing:
            conn.execute(f'alter table raw.{entity.table} add column "{column}" varchar')
    conn.execute(
        f"create table if not exists {LOAD_LOG_TABLE} (entity varchar not null, "
        "source_file varchar not null, partition_date date, file_sha256 varchar not null, "
        "encoding varchar not null, delivered_rows bigint not null, extra_columns varchar, "
        "loaded_at timestamp not null)"
    )


def _readable_path(info: InspectedFile, tmp: Path) -> str | None:
    """Path DuckDB should read: the file itself, a UTF-8 copy, or None for an empty file."""
    if info.size_bytes == 0:
        return None
    if info.text is None:
        return str(info.path)
    copy = tmp / f"{len(list(tmp.iterdir()))}_{info.path.name}"
    copy.write_text(info.text, encoding="utf-8")
    return str(copy)


def _relative(path: Path, landing_dir: Path) -> str:
    try:
        return path.resolve().relative_to(landing_dir.resolve()).as_posix()
    except ValueError:
        return path.resolve().as_posix()


def _delete_previous(conn, entity: SourceEntity, deliveries: list[Delivery]) -> None:
    if entity.daily:
        days = sorted({d.partition_date for d in deliveries})
        conn.execute(
            f"delete from raw.{entity.table} where _partition_date in (select unnest(?))", [days]
        )
        conn.execute(
            f"delete from {LOAD_LOG_TABLE} where entity = ? "
            "and partition_date in (select unnest(?))",
            [entity.key, days],
        )
    else:
        conn.execute(f"delete from raw.{entity.table}")
        conn.execute(f"delete from {LOAD_LOG_TABLE} where entity = ?", [entity.key])


def _register_deliveries(conn, readable, landing_dir: Path) -> None:
    conn.execute(
        "create or replace temp table _deliveries (read_path varchar, source_file varchar, "
        "file_sha256 varchar, partition_date date)"
    )
    if readable:
        conn.executemany(
            "insert into _deliveries values (?, ?, ?, ?)",
            [
                (read_path, _relative(d.path, landing_dir), info.sha256, d.partition_date)
                for d, info, read_path in readable
            ],
        )


def _group_by_header(entity: SourceEntity, readable):
    """Group files by header so each group is one multi-file scan; check required columns."""
    groups: dict[tuple[str, ...], list] = defaultdict(list)
    for delivery, info, read_path in readable:
        if entity.file_format == "csv":
            normalised = [normalise_column_name(c) for c in info.header]
            duplicated = sorted({c for c in normalised if normalised.count(c) > 1})
            if duplicated:
                raise LandingFileError(
                    delivery.path, "duplicate_columns", f"header repeats {duplicated}", row=1
                )
            absent = [c for c in entity.required if c not in normalised]
            if absent:
                raise LandingFileError(
                    delivery.path,
                    "required_columns",
                    f"required column(s) {absent} missing from the header "
                    f"(found {list(info.header)})",
                    row=1,
                )
        groups[info.header].append((delivery, info, read_path))
    return groups


def _insert_group(conn, entity: SourceEntity, header: tuple[str, ...], paths: list[str]) -> None:
    if entity.file_format == "csv":
        by_name = {normalise_column_name(c): c for c in header}
        select = ", ".join(
            f'"{by_name[c]}" as "{c}"' if c in by_name else f'null::varchar as "{c}"'
            for c in entity.columns
        )
        scan = (
            "read_csv(?, header = true, all_varchar = true, delim = ',', quote = '\"', "
            "escape = '\"', null_padding = true, filename = true, auto_detect = false, "
            f"columns = {_csv_columns_literal(header)})"
        )
        row_filter = "true"
    else:  # jsonl: read lines as text so malformed lines are kept, not dropped
        select = (
            ", ".join(
                f"case when json_valid(_raw_line) then json_extract_string(_raw_line, '$.{c}') "
                f'end as "{c}"'
                for c in entity.columns
            )
            + ", _raw_line"
        )
        scan = (
            "read_csv(?, header = false, columns = {'_raw_line': 'VARCHAR'}, "
            "delim = chr(30), quote = '', escape = '', auto_detect = false, "
            "strict_mode = false, filename = true)"
        )
        row_filter = "_raw_line is not null and trim(_raw_line) <> ''"
    conn.execute(
        f"""
        insert into raw.{entity.table} by name
        with scanned as (
            select *, ordinality - min(ordinality) over (partition by filename) + 1 as _row_number
            from {scan} with ordinality
        )
        select {select},
            d.source_file as _source_file,
            s._row_number,
            d.file_sha256 as _file_sha256,
            d.partition_date as _partition_date,
            now()::timestamp as _loaded_at
        from scanned as s
        join _deliveries as d on d.read_path = s.filename
        where {row_filter}
        """,
        [paths],
    )


def _csv_columns_literal(header: tuple[str, ...]) -> str:
    """Declare every delivered column as VARCHAR, in delivered order (no type sniffing)."""
    names = ", ".join("'" + c.replace("'", "''") + "': 'VARCHAR'" for c in header)
    return "{" + names + "}"


def _row_counts_by_file(conn, entity: SourceEntity, deliveries, landing_dir) -> dict[str, int]:
    files = [_relative(d.path, landing_dir) for d in deliveries]
    rows = conn.execute(
        f"select _source_file, count(*) from raw.{entity.table} "
        "where _source_file in (select unnest(?)) group by 1",
        [files],
    ).fetchall()
    return dict(rows)


def _extra_columns(entity: SourceEntity, info: InspectedFile) -> tuple[str, ...]:
    known = set(entity.columns)
    return tuple(c for c in info.header if normalise_column_name(c) not in known)


def _write_load_log(conn, entity: SourceEntity, result: LoadResult) -> None:
    conn.executemany(
        f"insert into {LOAD_LOG_TABLE} values (?, ?, ?, ?, ?, ?, ?, now()::timestamp)",
        [
            (
                entity.key,
                f.source_file,
                f.partition_date,
                f.sha256,
                f.encoding,
                f.rows,
                ",".join(f.extra_columns) or None,
            )
            for f in result.files
        ],
    )
