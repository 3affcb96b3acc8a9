"""`ka-pipeline check-mapping`: a dry run of a mapping file against the landing files.

For each mapped entity it loads its newest files with the real loader into an in-memory
DuckDB (the warehouse is never opened), looks at the first rows of each, shows them as
canonical columns and lists every problem: files not found, files in a mapped folder
that no run would load (a misnamed day, `.CSV`), files the reader cannot read, required
or mapped columns missing from a header, values staging would quarantine (unparseable
dates, timestamps and numbers, missing required values) and values a `values:` map does
not cover, each with examples.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from ka_pipeline.extract.columns import plan_columns
from ka_pipeline.extract.errors import LandingFileError
from ka_pipeline.extract.loader import (
    Delivery,
    inspect_mapped_file,
    load_deliveries,
    resolve_path,
)
from ka_pipeline.mapping.files import (
    NotLoadedFile,
    files_not_loaded,
    mapped_files,
    relative_path,
)
from ka_pipeline.mapping.schema import EntityMapping, Mapping
from ka_pipeline.personal_data import PERSONAL_DATA_COLUMNS, holds_personal_data, redact_value

PREVIEW_ROWS = 5
MAX_EXAMPLES = 3
# What staging's parsers accept (dbt_project/macros/cross_db/parse.sql): a value they do
# not read is quarantined there, so it is a problem here.
_STAGING_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y%m%d")
_STAGING_TIMESTAMP_FORMATS = (
    "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M", "%Y%m%d %H:%M:%S", "%Y%m%d%H%M%S", "%Y-%m-%d %H:%M:%S.%f",
    *_STAGING_DATE_FORMATS,
)  # fmt: skip


@dataclass(frozen=True)
class Problem:
    rule: str  # file_missing, file_name, required_columns, unparseable_date, unmapped_value, ...
    detail: str
    file: str | None = None
    column: str | None = None

    def __str__(self) -> str:
        where = " ".join(p for p in (self.file, self.column and f"[{self.column}]") if p)
        return f"[{self.rule}] {where + ': ' if where else ''}{self.detail}"


@dataclass
class EntityCheck:
    key: str
    mapping: EntityMapping
    files_matched: int = 0
    files_checked: list[str] = field(default_factory=list)
    rows_checked: int = 0
    extra_columns: list[str] = field(default_factory=list)
    preview_columns: list[str] = field(default_factory=list)
    preview_rows: list[tuple] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


@dataclass
class MappingCheck:
    mapping: Mapping
    landing_dir: Path
    entities: list[EntityCheck]

    @property
    def problems(self) -> list[Problem]:
        return [p for e in self.entities for p in e.problems]

    def render(self) -> str:
        lines = [
            f"Mapping {self.mapping.source}",
            f"Landing {self.landing_dir}",
        ]
        for check in self.entities:
            lines.extend(_render_entity(check))
        if self.mapping.unmapped:
            lines += [
                "",
                "Not mapped (their raw tables are created empty; the models built only from "
                "them, and the marts that need them, stay empty):",
                "  " + ", ".join(self.mapping.unmapped),
            ]
        count = len(self.problems)
        lines += ["", f"{count} problem(s)" if count else "No problems found."]
        return "\n".join(lines)


def check_mapping(
    mapping: Mapping, landing_dir: Path, *, rows: int = 20, files: int = 7
) -> MappingCheck:
    """Check the newest `files` files (0: all) of each mapped entity, `rows` rows of each."""
    not_loaded = files_not_loaded(mapping, landing_dir)
    checks = [
        _check_entity(
            entity_mapping,
            landing_dir,
            rows,
            files,
            [f for f in not_loaded if f.entity == entity_mapping.entity.key],
        )
        for entity_mapping in mapping.entities.values()
    ]
    return MappingCheck(mapping, landing_dir, checks)


def _check_entity(
    mapping: EntityMapping,
    landing_dir: Path,
    rows: int,
    files: int,
    not_loaded: list[NotLoadedFile],
) -> EntityCheck:
    check = EntityCheck(mapping.entity.key, mapping)
    check.problems.extend(
        Problem(f.rule, f"not loaded: {f.reason}", relative_path(f.path, landing_dir))
        for f in not_loaded
    )
    found, _ = mapped_files(mapping, landing_dir)
    check.files_matched = len(found)
    if not found:
        check.problems.append(
            Problem("file_missing", f"no file matches {resolve_path(landing_dir, mapping.path)}")
        )
        return check
    chosen = found[-files:] if files > 0 else found
    conn = duckdb.connect()  # in memory: the warehouse is never touched
    try:
        for path, day in chosen:
            _check_file(conn, mapping, landing_dir, path, day, rows, check)
    finally:
        conn.close()
    return check


def _check_file(conn, mapping, landing_dir, path: Path, day, rows: int, check) -> None:
    relative = relative_path(path, landing_dir)
    check.files_checked.append(relative)
    try:
        info = inspect_mapped_file(path, mapping, landing_dir)
    except LandingFileError as error:
        check.problems.append(Problem(error.rule, error.detail, relative))
        return
    json_lines = mapping.file_format == "jsonl"
    plan = plan_columns(mapping, None if json_lines else info.header)
    for rule, columns in (
        ("duplicate_columns", plan.duplicated),
        ("required_columns", plan.missing_required),
        ("mapped_columns", plan.missing_mapped),
    ):
        if columns:
            names = (
                [_named(mapping, c) for c in columns] if rule != "duplicate_columns" else columns
            )
            check.problems.append(
                Problem(rule, f"{names} not in the header {_shown_header(mapping, info)}", relative)
            )
    if plan.duplicated or plan.missing_required or plan.missing_mapped:
        return
    check.extra_columns = sorted({*check.extra_columns, *plan.extra})
    table = f"raw.{mapping.entity.table}"
    conn.execute(f"drop table if exists {table}")
    try:
        load_deliveries(conn, mapping.entity, [Delivery(path, day)], landing_dir, mapping)
    except LandingFileError as error:
        check.problems.append(Problem(error.rule, error.detail, relative))
        return
    # only the first `rows` rows are looked at: a dry run, not a validation of everything
    conn.execute(f"delete from {table} where _row_number > {int(rows)}")
    check.rows_checked += conn.execute(f"select count(*) from {table}").fetchone()[0]
    if not check.preview_rows:
        _preview(conn, mapping, table, check)
    check.problems.extend(_value_problems(conn, mapping, table, relative))


def _value_problems(conn, mapping: EntityMapping, table: str, relative: str) -> list[Problem]:
    problems = []
    for canonical in mapping.entity.raw_columns:
        spec = mapping.spec(canonical)
        column = '"' + canonical + '"'
        checks = []
        if canonical in mapping.entity.required and spec.generate is None:
            checks.append(("missing_value", f"{column} is null", "required value missing"))
        if spec.kind in ("date", "timestamp"):
            formats = _STAGING_DATE_FORMATS if spec.kind == "date" else _STAGING_TIMESTAMP_FORMATS
            expected = f" (mapping format {spec.parse_format!r})" if spec.parse_format else ""
            checks.append((
                f"unparseable_{spec.kind}",
                f"{column} is not null and try_strptime(trim({column}), {list(formats)}) is null",
                f"not a {spec.kind}{expected}",
            ))  # fmt: skip
        if spec.kind == "number":
            cleaned = column
            for sign in (",", " ", "¥", "￥"):
                cleaned = f"replace({cleaned}, '{sign}', '')"
            checks.append((
                "unparseable_number",
                f"{column} is not null and try_cast({cleaned} as decimal(38, 6)) is null",
                "not a number" + _separators(spec),
            ))  # fmt: skip
        if spec.values:
            targets = ", ".join("'" + v.replace("'", "''") + "'" for v in set(spec.values.values()))
            checks.append((
                "unmapped_value",
                f"{column} is not null and trim({column}) not in ({targets})",
                "value not in the mapping's `values:`",
            ))  # fmt: skip
        for rule, condition, what in checks:
            hits = conn.execute(
                f"select _row_number, {column} from {table} where {condition} order by 1"
            ).fetchall()
            if hits:
                examples = ", ".join(f"row {row}: {value!r}" for row, value in hits[:MAX_EXAMPLES])
                problems.append(
                    Problem(
                        rule, f"{len(hits)} row(s) {what}, e.g. {examples}", relative, canonical
                    )
                )
    return problems


def _preview(conn, mapping: EntityMapping, table: str, check: EntityCheck) -> None:
    columns = [
        c for c in mapping.entity.raw_columns
        if conn.execute(f'select count("{c}") from {table}').fetchone()[0]
    ]  # fmt: skip
    check.preview_columns = columns
    if not columns:
        return
    personal = PERSONAL_DATA_COLUMNS.get(mapping.entity.key, frozenset())
    select = ", ".join("'***'" if c in personal else f'"{c}"' for c in columns)
    rows = conn.execute(
        f"select {select} from {table} order by _row_number limit {PREVIEW_ROWS}"
    ).fetchall()
    # a mis-shaped row moves personal values into other columns
    check.preview_rows = [
        tuple(redact_value(v, personal_entity=bool(personal)) for v in row) for row in rows
    ]


def _shown_header(mapping: EntityMapping, info) -> list:
    """The header as delivered; a file without one shows its first data row: redacted."""
    personal = holds_personal_data(mapping.entity.key)
    return [redact_value(name, personal_entity=personal) for name in info.header]


def _named(mapping: EntityMapping, canonical: str) -> str:
    source = mapping.spec(canonical).source
    return canonical if source == canonical else f"{canonical} (from {source!r})"


def _separators(spec) -> str:
    if not spec.parses_number:
        return ""
    return (
        f" (mapping decimal {spec.decimal_separator or '.'!r}, "
        f"thousands {spec.thousands_separator or ''!r})"
    )


def _render_entity(check: EntityCheck) -> list[str]:
    mapping = check.mapping
    lines = [
        "",
        f"{check.key}: {mapping.path} ({mapping.file_format}, encoding {mapping.encoding}): "
        f"{check.files_matched} file(s) matched, {len(check.files_checked)} checked, "
        f"{check.rows_checked} row(s) read",
    ]
    if check.extra_columns:
        lines.append(f"  delivered columns not used: {', '.join(check.extra_columns)}")
    if check.preview_rows:
        lines.append(f"  first rows of {check.files_checked[0]} as canonical columns:")
        lines.extend("    " + line for line in _table(check.preview_columns, check.preview_rows))
    for problem in check.problems:
        lines.append(f"  PROBLEM {problem}")
    return lines


def _table(columns: list[str], rows: list[tuple]) -> list[str]:
    cells = [columns, *[["" if v is None else str(v) for v in row] for row in rows]]
    widths = [max(_width(row[i]) for row in cells) for i in range(len(columns))]
    return [
        " | ".join(
            value + " " * (width - _width(value)) for value, width in zip(row, widths, strict=True)
        ).rstrip()
        for row in cells
    ]


def _width(text: str) -> int:
    """Terminal width: CJK characters take two columns."""
    return sum(2 if ord(c) > 0x2E7F else 1 for c in text)
