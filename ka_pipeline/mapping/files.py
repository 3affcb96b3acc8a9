"""The files a mapping delivers, with the business day each one's name holds."""

from __future__ import annotations

import re
from collections.abc import Iterable
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
        match = day_in_path.fullmatch(str(path))
        try:
            day = datetime.strptime(match.group("day"), mapping.file_date_format).date()
        except (AttributeError, ValueError):
            undated.append(path)
            continue
        dated.append((path, day))
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
