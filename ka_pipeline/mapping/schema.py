"""The mapping file: how a company's own exports map onto the landing contract.

A YAML file with one entry per source entity (`entities: {erp/orders: {...}}`) saying
where the files are, how to read them and which of their columns is which canonical
column. `load_mapping` validates it whole and fails with a `MappingError` that names the
file, the entity and the key (`entities.erp/orders.columns.order_date.date_format`).
The schema is documented in the README ("Bring your own exports").
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import Any

import yaml

from ka_pipeline.landing.contract import ENTITIES, ENTITIES_BY_KEY, SourceEntity, column_kind
from ka_pipeline.settings import DEFAULT_MAPPING_FILE

FORMATS = ("csv", "jsonl", "parquet", "xlsx")
_FORMAT_BY_SUFFIX = {
    ".csv": "csv",
    ".tsv": "csv",
    ".txt": "csv",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "jsonl",
    ".parquet": "parquet",
    ".xlsx": "xlsx",
}
# `auto` tries UTF-8 (with or without BOM), then GB18030 (a superset of GBK / GB2312).
ENCODINGS = ("auto", "utf-8", "utf-8-sig", "gbk", "gb2312", "gb18030")
GENERATORS = ("row_id",)
ON_MISSING_DAY = ("fail", "skip")
# The lines above the header are skipped one by one (by the header reader and DuckDB): an
# export's preamble is a few lines, and a bound keeps a typo from reading for minutes.
MAX_HEADER_ROW = 1000
# `{date}` or `{date:<strftime format>}` in a path: the business day the file is for
DATE_PLACEHOLDER = re.compile(r"\{date(?::([^{}]+))?\}")
ISO_DATE = "%Y-%m-%d"

_ENTITY_KEYS = {
    "path", "format", "encoding", "delimiter", "quote", "header_row", "sheet",
    "on_missing_day", "date_format", "timestamp_format", "decimal_separator",
    "thousands_separator", "columns", "defaults",
}  # fmt: skip
_COLUMN_KEYS = {
    "from", "date_format", "timestamp_format", "decimal_separator", "thousands_separator",
    "values", "generate",
}  # fmt: skip
_FORMAT_KEYS = {"date_format": "date", "timestamp_format": "timestamp"}
_NUMBER_KEYS = ("decimal_separator", "thousands_separator")


class MappingError(Exception):
    """The mapping file is invalid: names the file, the entity (if any) and the key."""

    def __init__(self, path: Path | str, key: str, detail: str, entity: str | None = None):
        self.path, self.key, self.detail, self.entity = str(path), key, detail, entity
        super().__init__(f"{self.path}: {key}: {detail}")


@dataclass(frozen=True)
class ColumnSpec:
    """How one canonical column is read: from which delivered column, parsed how."""

    canonical: str
    source: str | None  # their column (or JSON key); None when generated
    kind: str  # date | timestamp | number | text (from the contract)
    explicit: bool = False  # named in `columns:` (then a file lacking it is an error)
    date_format: str | None = None
    timestamp_format: str | None = None
    decimal_separator: str | None = None
    thousands_separator: str | None = None
    values: dict[str, str] = field(default_factory=dict)
    generate: str | None = None
    default: str | None = None

    @property
    def parse_format(self) -> str | None:
        """The strftime format delivered dates / timestamps are read with, if any."""
        return self.date_format if self.kind == "date" else self.timestamp_format

    @property
    def parses_number(self) -> bool:
        return self.kind == "number" and (
            self.decimal_separator is not None or self.thousands_separator is not None
        )


@dataclass(frozen=True)
class EntityMapping:
    """Where one entity's files are and how each canonical column is read from them."""

    entity: SourceEntity
    path: str  # glob relative to the landing dir (or absolute), may hold {date:FORMAT}
    file_format: str
    encoding: str = "auto"
    delimiter: str = ","
    quote: str = '"'
    header_row: int = 1
    sheet: str | None = None
    on_missing_day: str = "fail"
    columns: dict[str, ColumnSpec] = field(default_factory=dict)

    @property
    def file_date_format(self) -> str | None:
        """strftime format of the business day in the file name; None for a snapshot."""
        match = DATE_PLACEHOLDER.search(self.path)
        if match is None:
            return None
        return match.group(1) or ISO_DATE

    @property
    def is_dated(self) -> bool:
        return self.file_date_format is not None

    def glob_for(self, day) -> str:
        """The path glob of `day`'s files (any day's, when `day` is None)."""
        if not self.is_dated:
            return self.path
        text = "*" if day is None else day.strftime(self.file_date_format)
        return DATE_PLACEHOLDER.sub(lambda _: text, self.path)

    def spec(self, canonical: str) -> ColumnSpec:
        return self.columns[canonical]


@dataclass(frozen=True)
class Mapping:
    """A validated mapping file."""

    source: Path
    entities: dict[str, EntityMapping]

    def get(self, key: str) -> EntityMapping | None:
        return self.entities.get(key)

    @property
    def unmapped(self) -> list[str]:
        """Contract entities the mapping does not deliver (their raw tables stay empty)."""
        return [e.key for e in ENTITIES if e.key not in self.entities]


def load_mapping(path: Path | str | None = None) -> Mapping:
    """Read and validate a mapping file (the shipped default mapping when `path` is None).

    The default mapping is read once per process; other files on every call, so an edited
    mapping takes effect at the next run.
    """
    if path is None or Path(path).resolve() == DEFAULT_MAPPING_FILE:
        return _default_mapping()
    return _read_mapping(Path(path))


@functools.cache
def _default_mapping() -> Mapping:
    return _read_mapping(DEFAULT_MAPPING_FILE)


def _read_mapping(path: Path) -> Mapping:
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise MappingError(path, "(file)", "mapping file not found") from None
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        raise MappingError(path, "(file)", f"not valid UTF-8 YAML: {error}") from None
    return parse_mapping(document, path)


def parse_mapping(document: Any, path: Path | str = "<mapping>") -> Mapping:
    """Validate an already parsed YAML document (see `load_mapping`)."""
    _expect(isinstance(document, dict), path, "(top level)", "must be a map with `entities:`")
    _no_unknown_keys(document, {"version", "entities"}, path, "(top level)")
    version = document.get("version", 1)
    _expect(version == 1, path, "version", f"unsupported version {version!r} (only 1)")
    entities = document.get("entities")
    _expect(
        isinstance(entities, dict) and entities,
        path,
        "entities",
        "must map at least one entity key (e.g. erp/orders) to its settings",
    )
    parsed = {}
    for key, settings in entities.items():
        if key not in ENTITIES_BY_KEY:
            raise MappingError(
                path,
                f"entities.{key}",
                f"unknown entity; the contract has {', '.join(ENTITIES_BY_KEY)}",
            )
        parsed[key] = _parse_entity(ENTITIES_BY_KEY[key], settings, path)
    return Mapping(Path(path), parsed)


def _parse_entity(entity: SourceEntity, settings: Any, path) -> EntityMapping:
    where = f"entities.{entity.key}"

    def fail(key: str, detail: str) -> MappingError:
        return MappingError(path, f"{where}.{key}" if key else where, detail, entity.key)

    if not isinstance(settings, dict):
        raise fail("", "must be a map with at least `path:`")
    unknown = sorted(set(settings) - _ENTITY_KEYS)
    if unknown:
        raise fail(unknown[0], f"unknown key; allowed: {', '.join(sorted(_ENTITY_KEYS))}")

    file_path = settings.get("path")
    if not isinstance(file_path, str) or not file_path.strip():
        raise fail("path", "required: the file path or glob, relative to the landing dir")
    placeholders = DATE_PLACEHOLDER.findall(file_path)
    if len(placeholders) > 1:
        raise fail("path", "holds {date} more than once")
    if placeholders and not entity.daily:
        raise fail("path", f"{entity.key} is a full snapshot: its path takes no {{date}}")
    if placeholders:
        problem = _strftime_problem(placeholders[0] or ISO_DATE, "date")
        if problem:
            raise fail("path", f"{{date:…}}: {problem}")

    file_format = settings.get("format") or _FORMAT_BY_SUFFIX.get(
        PurePosixPath(DATE_PLACEHOLDER.sub("x", file_path)).suffix.lower()
    )
    if file_format not in FORMATS:
        raise fail("format", f"{file_format!r} is not one of {', '.join(FORMATS)}")

    encoding = str(settings.get("encoding", "auto")).lower().replace("_", "-")
    encoding = {"utf8": "utf-8", "utf-8-bom": "utf-8-sig", "utf8-sig": "utf-8-sig"}.get(
        encoding, encoding
    )
    if encoding not in ENCODINGS:
        raise fail("encoding", f"{encoding!r} is not one of {', '.join(ENCODINGS)}")

    delimiter = settings.get("delimiter", ",")
    if not isinstance(delimiter, str) or len(delimiter) != 1:
        raise fail("delimiter", f"must be one character (e.g. ',', ';', '\\t'), got {delimiter!r}")
    quote = settings.get("quote", '"')
    if not isinstance(quote, str) or len(quote) > 1:
        raise fail("quote", f'must be one character (\'"\') or "" for none, got {quote!r}')
    header_row = settings.get("header_row", 1)
    if (
        not isinstance(header_row, int)
        or isinstance(header_row, bool)
        or not 1 <= header_row <= MAX_HEADER_ROW
    ):
        raise fail(
            "header_row", f"must be a line number from 1 to {MAX_HEADER_ROW}, got {header_row!r}"
        )
    sheet = settings.get("sheet")
    if sheet is not None and (file_format != "xlsx" or not isinstance(sheet, str)):
        raise fail("sheet", "a sheet name, for the xlsx format only")
    on_missing_day = settings.get("on_missing_day", "fail")
    if on_missing_day not in ON_MISSING_DAY:
        raise fail("on_missing_day", f"{on_missing_day!r} is not one of fail, skip")

    entity_formats = {
        key: _format_option(settings, key, fail) for key in (*_FORMAT_KEYS, *_NUMBER_KEYS)
    }
    columns_settings = settings.get("columns") or {}
    defaults = settings.get("defaults") or {}
    if not isinstance(columns_settings, dict):
        raise fail("columns", "must map canonical columns to their column names")
    if not isinstance(defaults, dict):
        raise fail("defaults", "must map canonical columns to constant values")
    for canonical in (*columns_settings, *defaults):
        if canonical not in entity.raw_columns:
            section = "columns" if canonical in columns_settings else "defaults"
            raise fail(
                f"{section}.{canonical}",
                f"not a canonical column of {entity.key}; known: {', '.join(entity.raw_columns)}",
            )
    for canonical, value in defaults.items():
        if not _is_scalar(value):
            raise fail(f"defaults.{canonical}", "must be a constant (text or number)")

    columns = {
        canonical: _parse_column(
            entity,
            canonical,
            columns_settings.get(canonical),
            entity_formats,
            None if defaults.get(canonical) is None else str(defaults[canonical]),
            fail,
        )
        for canonical in entity.raw_columns
    }
    return EntityMapping(
        entity=entity,
        path=file_path.strip(),
        file_format=file_format,
        encoding=encoding,
        delimiter=delimiter,
        quote=quote,
        header_row=header_row,
        sheet=sheet,
        on_missing_day=on_missing_day,
        columns=columns,
    )


def _parse_column(entity, canonical, spec, entity_formats, default, fail) -> ColumnSpec:
    key = f"columns.{canonical}"
    kind = column_kind(canonical)
    if spec is None:
        spec = {}
    elif isinstance(spec, str):
        spec = {"from": spec}
    elif not isinstance(spec, dict):
        raise fail(key, "must be their column name, or a map with `from:` and options")
    unknown = sorted(set(spec) - _COLUMN_KEYS)
    if unknown:
        raise fail(
            f"{key}.{unknown[0]}", f"unknown key; allowed: {', '.join(sorted(_COLUMN_KEYS))}"
        )
    source = spec.get("from")
    generate = spec.get("generate")
    if generate is not None:
        if generate not in GENERATORS:
            raise fail(f"{key}.generate", f"{generate!r} is not one of {', '.join(GENERATORS)}")
        if source is not None:
            raise fail(key, "takes either `from:` or `generate:`, not both")
    elif source is not None and (not isinstance(source, str) or not source.strip()):
        raise fail(f"{key}.from", "must be the delivered column name (or JSON key)")
    options = {}
    for option, option_kind in _FORMAT_KEYS.items():
        if option in spec and kind != option_kind:
            raise fail(
                f"{key}.{option}", f"applies to {option_kind} columns; {canonical} is {kind}"
            )
        options[option] = _format_option(spec, option, lambda k, d: fail(f"{key}.{k}", d))
        if options[option] is None and kind == option_kind:
            options[option] = entity_formats[option]
    for option in _NUMBER_KEYS:
        if option in spec and kind != "number":
            raise fail(f"{key}.{option}", f"applies to number columns; {canonical} is {kind}")
        value = _format_option(spec, option, lambda k, d: fail(f"{key}.{k}", d))
        options[option] = (
            value if value is not None else (entity_formats[option] if kind == "number" else None)
        )
    if (
        options["decimal_separator"] is not None
        and options["decimal_separator"] == (options["thousands_separator"])
    ):
        raise fail(key, "decimal and thousands separators must differ")
    values = spec.get("values") or {}
    if not isinstance(values, dict) or not all(
        _is_scalar(k) and _is_scalar(v) for k, v in values.items()
    ):
        raise fail(f"{key}.values", "must map their values to ours (text to text)")
    return ColumnSpec(
        canonical=canonical,
        source=None if generate else (source.strip() if source else canonical),
        kind=kind,
        explicit=source is not None,
        values={str(k).strip(): str(v) for k, v in values.items()},
        generate=generate,
        default=default,
        **options,
    )


def _format_option(settings: dict, key: str, fail) -> str | None:
    value = settings.get(key)
    if value is None:
        return None
    if key in _NUMBER_KEYS:
        if (
            not isinstance(value, str)
            or len(value) > 1
            or (key == "decimal_separator" and not value)
        ):
            raise fail(
                key, f"must be one character (e.g. '.', ',', ' ' or '' for none), got {value!r}"
            )
        return value
    problem = _strftime_problem(value, _FORMAT_KEYS[key])
    if problem:
        raise fail(key, problem)
    return value


def _strftime_problem(fmt: Any, kind: str) -> str | None:
    """Why `fmt` is no usable date / timestamp format (it must read back the day it writes)."""
    sample = datetime(2024, 3, 9, 13, 5, 7)
    try:
        ok = isinstance(fmt, str) and (
            datetime.strptime(sample.strftime(fmt), fmt).date() == sample.date()
        )
    except ValueError:
        ok = False
    if ok:
        return None
    return (
        f"{fmt!r} is not a {kind} format that names year, month and day "
        "(strftime directives, e.g. '%Y/%m/%d' or '%d.%m.%Y %H:%M')"
    )


def _no_unknown_keys(document: dict, allowed: set[str], path, where: str) -> None:
    unknown = sorted(set(document) - allowed)
    if unknown:
        raise MappingError(path, unknown[0], f"unknown key in {where}; allowed: {sorted(allowed)}")


def _expect(condition: bool, path, key: str, detail: str) -> None:
    if not condition:
        raise MappingError(path, key, detail)


def _is_scalar(value: Any) -> bool:
    return isinstance(value, str | int | float) and not isinstance(value, bool)
