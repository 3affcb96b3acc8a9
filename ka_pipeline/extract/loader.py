"""Bulk-load delivered files into `raw.<system>__<entity>` with DuckDB's own readers.

Every delivered row is kept exactly as delivered (all columns as text) plus lineage
columns; typing and validation happen in dbt staging, so a bad value is quarantined with
its reason rather than failing the load. A file fails as a whole only when it cannot be
read at all (missing, undecodable, a required column absent from its header).

Loads are idempotent per file: reloading a business day first deletes that day's rows,
so the same file loaded twice is not duplicated and a corrected re-send replaces the day.

Where the files are and how they are read comes from the entity's mapping
(`ka_pipeline.mapping`): the shipped default mapping describes the contract's own layout,
a company's mapping file its own exports (names, encodings, formats, column names).
"""

from __future__ import annotations

import glob
import re
import tempfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import duckdb

from ka_pipeline.extract.columns import ColumnPlan, plan_columns, select_list
from ka_pipeline.extract.errors import LandingFileError
from ka_pipeline.extract.files import InspectedFile, inspect_file
from ka_pipeline.landing.contract import ENTITIES, SourceEntity
from ka_pipeline.mapping.schema import EntityMapping, Mapping, load_mapping

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


def default_entity_mapping(entity: SourceEntity) -> EntityMapping:
    """The shipped default mapping's entry: the contract's own landing layout."""
    return load_mapping().entities[entity.key]


def expected_deliveries(
    entity: SourceEntity,
    landing_dir: Path,
    days: list[date] | None,
    mapping: EntityMapping | None = None,
) -> list[Delivery]:
    """The files an entity must have delivered for `days` (its snapshot files when undated).

    A mapping path may be a glob: every matching file is a delivery. A day without a file
    is a delivery of the expected path that `load_deliveries` reports missing, unless the
    mapping says `on_missing_day: skip`.
    """
    mapping = mapping or default_entity_mapping(entity)
    if not mapping.is_dated:
        paths = matching_paths(landing_dir, mapping.glob_for(None))
        return [Delivery(p, None) for p in paths] or [
            Delivery(resolve_path(landing_dir, mapping.glob_for(None)), None)
        ]
    if not days:
        raise ValueError(f"{entity.key} is daily: at least one business day is required")
    deliveries = []
    for day in days:
        paths = matching_paths(landing_dir, mapping.glob_for(day))
        if paths:
            deliveries.extend(Delivery(p, day) for p in paths)
        elif mapping.on_missing_day == "fail":
            deliveries.append(Delivery(resolve_path(landing_dir, mapping.glob_for(day)), day))
    return deliveries


def resolve_path(landing_dir: Path, pattern: str) -> Path:
    return Path(pattern) if Path(pattern).is_absolute() else landing_dir / pattern


def matching_paths(landing_dir: Path, pattern: str) -> list[Path]:
    return sorted(Path(p) for p in glob.glob(str(resolve_path(landing_dir, pattern))))


def load_deliveries(
    conn: duckdb.DuckDBPyConnection,
    entity: SourceEntity,
    deliveries: list[Delivery],
    landing_dir: Path,
    mapping: EntityMapping | None = None,
) -> LoadResult:
    """Load `deliveries` of one entity in a single transaction; raise on unreadable files."""
    mapping = mapping or default_entity_mapping(entity)
    missing = [d.path for d in deliveries if not d.path.is_file()]
    if missing:
        shown = ", ".join(str(p) for p in missing[:5])
        more = f" (and {len(missing) - 5} more)" if len(missing) > 5 else ""
        raise LandingFileError(
            missing[0],
            "file_missing",
            f"{len(missing)} expected {entity.key} file(s) not delivered: {shown}{more}",
        )
    inspected = [(d, inspect_mapped_file(d.path, mapping, landing_dir)) for d in deliveries]
    ensure_raw_table(conn, entity, json_lines=mapping.file_format == "jsonl")
    result = LoadResult(entity)
    with tempfile.TemporaryDirectory(prefix="ka_extract_") as tmp:
        readable: list[tuple[Delivery, InspectedFile, str]] = []
        for delivery, info in inspected:
            read_path = _readable_path(info, Path(tmp))
            if read_path is not None:
                readable.append((delivery, info, read_path))
        plans = _plan_by_header(mapping, readable)
        conn.execute("begin transaction")
        try:
            _delete_previous(conn, entity, deliveries)
            _register_deliveries(conn, readable, landing_dir)
            for header, (plan, group) in plans.items():
                try:
                    _insert_group(conn, mapping, header, plan, [path for *_, path in group])
                except duckdb.Error as error:
                    raise _reader_error(error, group) from None
            counts = _row_counts_by_file(conn, entity, deliveries, landing_dir)
            for delivery, info in inspected:
                source_file = _relative(delivery.path, landing_dir)
                plan = plans.get(info.header, (None,))[0]
                result.files.append(
                    FileLoad(
                        source_file=source_file,
                        partition_date=delivery.partition_date,
                        sha256=info.sha256,
                        encoding=info.encoding,
                        rows=counts.get(source_file, 0),
                        extra_columns=plan.extra if plan else (),
                    )
                )
            _write_load_log(conn, entity, result)
            conn.execute("commit")
        except BaseException:
            conn.execute("rollback")
            raise
    return result


def inspect_mapped_file(path: Path, mapping: EntityMapping, landing_dir: Path) -> InspectedFile:
    """`inspect_file` with the mapping's reading options, for a file inside the landing."""
    refuse_link_outside(path, landing_dir)
    return inspect_file(
        path,
        file_format=mapping.file_format,
        encoding=mapping.encoding,
        delimiter=mapping.delimiter,
        quote=mapping.quote,
        header_row=mapping.header_row,
        sheet=mapping.sheet,
    )


def refuse_link_outside(path: Path, landing_dir: Path) -> None:
    """A symbolic link (the file or a folder on its path) must stay inside the landing folder.

    Otherwise anyone who can drop a file could make the pipeline read any file the process
    can (`/etc/passwd`, a key) into raw, or quote it in an error. Nothing of the target is
    read or named. A mapping's own absolute path, without links, is the operator's choice.
    """
    target = path.resolve()
    if target != path.absolute() and not target.is_relative_to(landing_dir.resolve()):
        raise LandingFileError(
            path,
            "link_outside_landing",
            f"is a symbolic link to a file outside the landing folder {landing_dir}; "
            "links are followed only inside it: deliver the file itself",
        )


def ensure_raw_table(
    conn: duckdb.DuckDBPyConnection, entity: SourceEntity, *, json_lines: bool = False
) -> None:
    """Create the raw table (and the load log) if absent; add columns the contract gained.

    An entity the mapping does not deliver still gets its (empty) table, so dbt compiles.
    JSON-lines entities (by contract, or delivered so by a mapping) keep `_raw_line`.
    """
    conn.execute("create schema if not exists raw")
    json_lines = json_lines or entity.file_format == "jsonl"
    columns = [*entity.raw_columns, *(["_raw_line"] if json_lines else [])]
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
    copy = tmp / f"{len(list(tmp.iterdir()))}_{info.path.stem}.csv"
    copy.write_text(info.text, encoding="utf-8")
    return str(copy)


def _relative(path: Path, landing_dir: Path) -> str:
    try:
        return path.resolve().relative_to(landing_dir.resolve()).as_posix()
    except ValueError:
        return path.resolve().as_posix()


def _delete_previous(conn, entity: SourceEntity, deliveries: list[Delivery]) -> None:
    """Dated deliveries replace their days; undated ones (a snapshot) the whole table."""
    if any(d.partition_date is not None for d in deliveries):
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


def _plan_by_header(
    mapping: EntityMapping, readable
) -> dict[tuple[str, ...], tuple[ColumnPlan, list]]:
    """Group files by header so each group is one multi-file scan; check the columns."""
    groups: dict[tuple[str, ...], tuple[ColumnPlan, list]] = {}
    json_lines = mapping.file_format == "jsonl"
    for delivery, info, read_path in readable:
        if info.header not in groups:
            plan = plan_columns(mapping, None if json_lines else info.header)
            if plan.duplicated:
                raise LandingFileError(
                    delivery.path, "duplicate_columns", f"header repeats {plan.duplicated}", row=1
                )
            if plan.missing_required or plan.missing_mapped:
                raise LandingFileError(
                    delivery.path,
                    "required_columns" if plan.missing_required else "mapped_columns",
                    plan.describe_missing(mapping, info.header),
                    row=mapping.header_row,
                    column=(plan.missing_required or plan.missing_mapped)[0],
                )
            groups[info.header] = (plan, [])
        groups[info.header][1].append((delivery, info, read_path))
    return groups


def _insert_group(
    conn, mapping: EntityMapping, header: tuple[str, ...], plan: ColumnPlan, paths: list[str]
) -> None:
    entity = mapping.entity
    json_lines = mapping.file_format == "jsonl"
    select = select_list(mapping, plan, json_lines=json_lines)
    row_filter = "true"
    if json_lines:  # read lines as text so malformed lines are kept, not dropped
        select += ",\n            s._raw_line"
        row_filter = "trim(s._raw_line) <> ''"
        scanned = _JSON_LINES_SCAN
    else:
        scanned = (
            "select *, ordinality - min(ordinality) over (partition by filename) + 1 "
            f"as _row_number from {_table_scan(mapping, header)} with ordinality"
        )
    conn.execute(
        f"""
        insert into raw.{entity.table} by name
        with scanned as ({scanned})
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


def _table_scan(mapping: EntityMapping, header: tuple[str, ...]) -> str:
    if mapping.file_format == "parquet":
        return "read_parquet(?, filename = true)"
    # csv, and xlsx converted to a UTF-8 CSV with its header on line 1
    is_csv = mapping.file_format == "csv"
    delimiter, quote = (mapping.delimiter, mapping.quote) if is_csv else (",", '"')
    skip = mapping.header_row - 1 if is_csv else 0
    return (
        f"read_csv(?, header = true, all_varchar = true, delim = {_sql_text(delimiter)}, "
        f"quote = {_sql_text(quote)}, escape = {_sql_text(quote)}, skip = {skip}, "
        "null_padding = true, filename = true, auto_detect = false, "
        f"columns = {_csv_columns_literal(header)})"
    )


# JSON lines split on LF only, so every other character (CR, U+001E, U+2028, ...) inside a
# line stays in it exactly as delivered (a CSV reader would cut the line there); the line
# ending's CR and a leading BOM are no part of the line. _row_number is the line number.
# Two unnests in one select list run in step (line, its subscript). Not a lateral
# `unnest(...) with ordinality`: DuckDB plans that as a join keyed on each file's whole
# content, which ran out of a 1.5 GB memory limit on 48 MB of JSON lines (10M bench).
_JSON_LINES_SCAN = """
    select
        filename,
        rtrim(ltrim(line, chr(65279)), chr(13)) as _raw_line,
        _row_number
    from (
        select
            text.filename,
            unnest(string_split(text.content, chr(10))) as line,
            generate_subscripts(string_split(text.content, chr(10)), 1) as _row_number
        from read_text(?) as text
    )
"""


def _reader_error(error: duckdb.Error, group: list) -> LandingFileError:
    """DuckDB's reader gave up on a file: name the delivered file, its line and the cause.

    It does for an unterminated quote (a file cut off inside a quoted value), a row with
    more fields than the header, a line longer than the reader's limit (2,000,000
    bytes), a damaged Parquet file or one it cannot open. Its message names the file it
    read (for a transcoded file, the UTF-8 copy) and the line; the line's content is left
    out, as it may hold personal data.
    """
    message = str(error)
    read_file = re.search(r"^\s*file = (.+)$", message, re.MULTILINE)
    line = re.search(r"CSV Error on Line: (\d+)", message)
    cause = _READER_CAUSES.search(message)
    delivered = {read_path: delivery.path for delivery, _, read_path in group}
    path = delivered.get(read_file.group(1).strip()) if read_file else None
    if path is None:  # the message names no file of the group: the first, and how many
        first = str(group[0][0].path)
        path = first if len(group) == 1 else f"{first} (and {len(group) - 1:,} more files)"
    if isinstance(error, duckdb.OutOfMemoryException):  # the limit's fault, not the file's
        return LandingFileError(
            path,
            "out_of_memory",
            f"reading {len(group):,} file(s) needed more memory than DuckDB's limit "
            "(KA_DUCKDB_MEMORY_LIMIT): raise it, or deliver fewer days per run",
        )
    return LandingFileError(
        path,
        "unreadable_line",
        cause.group(0) if cause else message.splitlines()[0][:200],
        row=int(line.group(1)) if line else None,
    )


_READER_CAUSES = re.compile(
    r"Value with unterminated quote found\."
    r"|Expected Number of Columns: \d+ Found: \d+"
    r"|Maximum line size of \d+ bytes exceeded\. Actual Size:\s*\d+ bytes\."
)


def _sql_text(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


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


def load_mapped_entities(
    conn: duckdb.DuckDBPyConnection,
    mapping: Mapping,
    landing_dir: Path,
    days: list[date] | None,
) -> dict[str, LoadResult | None]:
    """Load every entity `mapping` delivers for `days`; give the others empty raw tables.

    What one extraction run does outside Dagster (tests, scripts): entity key -> its
    LoadResult, or None for an entity the mapping does not deliver.
    """
    results: dict[str, LoadResult | None] = {}
    for entity in ENTITIES:
        entity_mapping = mapping.get(entity.key)
        if entity_mapping is None:
            ensure_raw_table(conn, entity)
            results[entity.key] = None
            continue
        entity_days = days if entity_mapping.is_dated else None
        deliveries = expected_deliveries(entity, landing_dir, entity_days, entity_mapping)
        results[entity.key] = load_deliveries(conn, entity, deliveries, landing_dir, entity_mapping)
    return results
