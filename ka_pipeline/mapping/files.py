"""The files a mapping delivers, with the business day each one's name holds, and the
files in its folders that no run would load (misnamed), each with the reason."""

from __future__ import annotations

import glob
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from ka_pipeline.extract.loader import matching_paths, resolve_path
from ka_pipeline.mapping.schema import DATE_PLACEHOLDER, EntityMapping, Mapping


def mapped_files(
    mapping: EntityMapping, landing_dir: Path
) -> tuple[list[tuple[Path, date | None]], list[Path]]:
    """(files with their business day, oldest first; files whose name holds no valid day).

    Snapshot mappings (no `{date}` in the path) give every matching file with day None.
    """
    paths = [p for p in matching_paths(landing_dir, mapping.glob_for(None)) if p.is_file()]
    if not mapping.is_dated:
        return [(p, None) for p in paths], []
    day_in_path = _day_regex(str(resolve_path(landing_dir, mapping.path)))
    dated, undated = [], []
    for path in paths:
        day = _day_in_name(day_in_path, mapping.file_date_format, path)
        if isinstance(day, date):
            dated.append((path, day))
        else:
            undated.append(path)
    return sorted(dated, key=lambda item: (item[1], item[0])), undated


def future_dated_files(
    mappings: Iterable[EntityMapping], landing_dir: Path, today: date
) -> list[tuple[Path, date]]:
    """Dated files whose name holds a day after `today`, oldest first: no run loads them
    (partitions end yesterday), and one of them would stretch a run's default range."""
    found = [
        (path, day)
        for mapping in mappings
        if mapping.is_dated
        for path, day in mapped_files(mapping, landing_dir)[0]
        if day > today
    ]
    return sorted(found, key=lambda item: (item[1], str(item[0])))


def describe_future_files(files: list[tuple[Path, date]], today: date, timezone: str) -> str:
    """One sentence naming the files (the first three), their days and today."""
    shown = ", ".join(f"{path} ({day})" for path, day in files[:3])
    more = f" and {len(files) - 3} more" if len(files) > 3 else ""
    return (
        f"{len(files)} landing file(s) named for a day in the future (today is {today} in "
        f"{timezone}): "
        f"{shown}{more}. Rename each to its business day, or move it out of the landing folder"
    )


@dataclass(frozen=True)
class NotLoadedFile:
    """A file in a mapped folder that no run loads: its name fits no entity's path."""

    path: Path
    entity: str  # the entity whose folder holds it
    rule: str  # file_date (the name's day is no date) | file_name (matches no path)
    reason: str

    def describe(self, landing_dir: Path) -> str:
        return f"{relative_path(self.path, landing_dir)}: not loaded: [{self.rule}] {self.reason}"


def files_not_loaded(
    mapping: Mapping, landing_dir: Path, entity: str | None = None
) -> list[NotLoadedFile]:
    """Every file in a mapped folder (of `entity` only, if given) that no mapped entity
    loads, with the reason, by path.

    A mapped folder is a directory an entity's path points into (`erp/orders` for
    `erp/orders/orders_{date}.csv`); its other files are what a misnamed delivery looks
    like: `orders_2025-02-30.csv` (no such day), `orders_2025-02-05_v2.csv` (text after
    the day), `orders_2025-02-05.CSV` (names are case-sensitive). Each file is matched
    against every mapped path (one listing per folder, no glob per entity).
    """
    paths = [
        (m, _day_regex(str(resolve_path(landing_dir, m.path)))) for m in mapping.entities.values()
    ]
    owners: dict[Path, EntityMapping] = {}
    for entity_mapping in mapping.entities.values():
        if entity is None or entity_mapping.entity.key == entity:
            for path in _files_in_folders(entity_mapping, landing_dir):
                owners.setdefault(path, entity_mapping)
    not_loaded = []
    for path in sorted(owners):
        loaded, misdated = _match_mapped_paths(path, paths)
        if not loaded:
            owner = owners[path]
            not_loaded.append(
                misdated
                or NotLoadedFile(path, owner.entity.key, "file_name", _name_mismatch(owner, path))
            )
    return not_loaded


def _match_mapped_paths(path: Path, paths) -> tuple[bool, NotLoadedFile | None]:
    """(a mapped path loads `path`, else why a dated path that matches its name does not)."""
    misdated = None
    for entity_mapping, day_in_path in paths:
        if day_in_path.fullmatch(str(path)) is None:
            continue
        if not entity_mapping.is_dated:
            return True, None
        day = _day_in_name(day_in_path, entity_mapping.file_date_format, path)
        if isinstance(day, date):
            return True, None
        misdated = misdated or NotLoadedFile(
            path,
            entity_mapping.entity.key,
            "file_date",
            f"the name matches {entity_mapping.path} but {day!r} is no business day "
            f"as {entity_mapping.file_date_format!r}",
        )
    return False, misdated


def relative_path(path: Path, landing_dir: Path) -> str:
    try:
        return path.resolve().relative_to(landing_dir.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def _files_in_folders(mapping: EntityMapping, landing_dir: Path) -> list[Path]:
    """The files directly in the folders the entity's path glob points into.

    Names starting with `.` or `_` are no deliveries: hidden files (`.DS_Store`), an
    export's `_SUCCESS` marker, the sample generator's `_generator_summary.json`.
    """
    folders = glob.glob(str(resolve_path(landing_dir, mapping.glob_for(None)).parent))
    return [
        p
        for folder in folders
        for p in Path(folder).iterdir()
        if p.is_file() and not p.name.startswith((".", "_"))
    ]


def _name_mismatch(mapping: EntityMapping, path: Path) -> str:
    reason = f"in the folder of {mapping.entity.key} but the name does not match {mapping.path}"
    pattern = re.compile(_glob_regex(Path(mapping.glob_for(None)).name), re.IGNORECASE)
    if pattern.fullmatch(path.name):
        reason += " (only upper / lower case differs: names are case-sensitive)"
    return reason


def _day_in_name(day_in_path: re.Pattern, date_format: str, path: Path) -> date | str:
    """The business day `path`'s name holds, else the text where the day should be."""
    match = day_in_path.fullmatch(str(path))
    if match is None:
        return path.name
    try:
        return datetime.strptime(match.group("day"), date_format).date()
    except ValueError:
        return match.group("day")


class NoDeliveryError(LookupError):
    """No file matches the mapping's dated paths; says where it looked and what to do."""


def delivered_days(mapping: Mapping, landing_dir: Path, undated_day: date) -> list[date]:
    """Business days the mapping's dated files were delivered for (orders first), sorted.

    `[undated_day]` when no entity is mapped to dated files (e.g. one `orders.csv`):
    snapshots are reloaded whole by any run. Raises NoDeliveryError when nothing is
    delivered.
    """
    dated = [m for m in mapping.entities.values() if m.is_dated]
    dated.sort(key=lambda m: m.entity.key != "erp/orders")
    if not dated:
        return [undated_day]
    for entity_mapping in dated:
        days = sorted({day for _, day in mapped_files(entity_mapping, landing_dir)[0]})
        if days:
            return days
    raise NoDeliveryError(
        f"no files match {resolve_path(landing_dir, dated[0].path)} (mapping "
        f"{mapping.source}). Generate a sample first (ka-pipeline generate) or point "
        "KA_MAPPING_FILE / KA_LANDING_DIR at your exports."
    )


def _day_regex(pattern: str) -> re.Pattern:
    """The path glob as a regex, the business day captured as `day`."""
    parts, last = [], 0
    for match in DATE_PLACEHOLDER.finditer(pattern):
        parts += [_glob_regex(pattern[last : match.start()]), "(?P<day>.+?)"]
        last = match.end()
    parts.append(_glob_regex(pattern[last:]))
    return re.compile("".join(parts))


def _glob_regex(text: str) -> str:
    return "".join("[^/]*" if c == "*" else "[^/]" if c == "?" else re.escape(c) for c in text)
