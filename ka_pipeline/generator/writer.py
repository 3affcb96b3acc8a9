"""Write one entity's file for one day (or a snapshot), injecting defects, counting rows."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from pathlib import Path

import numpy as np

from ka_pipeline.generator.defects import (
    DUPLICATE_WEIGHT,
    ORPHAN_LINE_WEIGHT,
    RESEND_DAY_WEIGHT,
    RESEND_ENTITIES,
    RESEND_SHARE,
    VALUE_DEFECTS,
    DayContext,
    orphan_line,
)
from ka_pipeline.generator.world import World, rng_for
from ka_pipeline.landing.contract import ENTITIES, SourceEntity

RNG_DEFECTS = 30
_SPECIAL = (",", '"', "\n", "\r")
_JSON_UNSAFE = re.compile(r'["\\\x00-\x1f\x7f-\x9f\u2028\u2029]')


def _quote(value: object) -> str:
    text = "" if value is None else str(value)
    if any(c in text for c in _SPECIAL) or text != text.strip():
        return '"' + text.replace('"', '""') + '"'
    return text


def _csv_column(values: list) -> list:
    joined = "\x00".join(values)
    if any(c in joined for c in _SPECIAL):
        return [_quote(v) for v in values]
    return values


def _json_value(value: object) -> str:
    kind = type(value)
    if kind is str and not _JSON_UNSAFE.search(value):
        return f'"{value}"'
    if kind is int:
        return str(value)
    if value is None:
        return "null"
    return json.dumps(value, ensure_ascii=False)


def _json_column(key: str, values: list) -> list[str]:
    """`"key": value` members, formatted exactly as `json.dumps(..., ensure_ascii=False)`."""
    prefix = json.dumps(key) + ": "
    return [prefix + _json_value(v) for v in values]


class LandingWriter:
    """Writes the files and counts rows, files and injected defects for the summary.

    Defects are drawn from a random stream per (entity, day), independent of the business
    events: a sample with defects is the clean sample of the same seed plus the defects.
    """

    def __init__(self, landing_dir: Path, world: World, defects: float) -> None:
        self.landing_dir = landing_dir
        self.world = world
        self.rate = defects
        self.rows: dict[str, int] = defaultdict(int)
        self.files: dict[str, int] = defaultdict(int)
        self.defects: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        self.variants: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        self._prev_clean: dict[str, list[str]] = {}
        self._made_dirs: set[Path] = set()

    # ------------------------------------------------------------------------ rendering
    @staticmethod
    def _lines(entity: SourceEntity, values: dict[str, list]) -> list[str]:
        if entity.file_format == "jsonl":
            cols = [_json_column(c, values[c]) for c in entity.columns]
            return ["{" + line + "}" for line in map(", ".join, zip(*cols, strict=True))]
        cols = [_csv_column(values[c]) for c in entity.columns]
        return list(map(",".join, zip(*cols, strict=True)))

    @staticmethod
    def _line(entity: SourceEntity, row: dict) -> str:
        if entity.file_format == "jsonl":
            return json.dumps({c: row[c] for c in entity.columns}, ensure_ascii=False)
        return ",".join(_quote(row[c]) for c in entity.columns)

    def _write(self, entity: SourceEntity, path: Path, lines: list[str]) -> None:
        if path.parent not in self._made_dirs:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._made_dirs.add(path.parent)
        body = "".join(line + "\n" for line in lines)
        if entity.file_format == "csv":
            body = ",".join(entity.columns) + "\n" + body
        path.write_bytes(body.encode("utf-8"))
        self.rows[entity.key] += len(lines)
        self.files[entity.key] += 1

    def _count(self, kind: str, entity: SourceEntity, variant: str, n: int = 1) -> None:
        self.defects[kind][entity.key] += n
        self.variants[f"{kind}:{variant}"][entity.key] += n

    # -------------------------------------------------------------------------- files
    def write_snapshot(self, entity: SourceEntity, values: dict[str, list]) -> None:
        self._write(entity, entity.path_for(self.landing_dir), self._lines(entity, values))

    def write_day(self, entity: SourceEntity, day: int, values: dict[str, list] | None) -> None:
        cal = self.world.cal
        lines = self._lines(entity, values) if values else []
        clean = lines
        if self.rate > 0:
            lines = self._inject(entity, day, values or {}, lines)
        if entity.name in RESEND_ENTITIES:
            self._prev_clean[entity.name] = clean
        self._write(entity, entity.path_for(self.landing_dir, cal.date(day)), lines)

    def _inject(self, entity: SourceEntity, day: int, values: dict, clean: list[str]):
        cal = self.world.cal
        rng = rng_for(self.world.seed, RNG_DEFECTS, _entity_number(entity), day)
        ctx = DayContext(day=day, iso=cal.iso1, ymd=cal.ymd1(day))
        n = len(clean)
        lines = list(clean)
        defective = np.zeros(n, dtype=bool)

        specs = VALUE_DEFECTS.get(entity.name, ())
        if specs and n:
            p = np.array([s.weight * self.rate for s in specs])
            if p.sum() > 1:
                p = p / p.sum()
            bands = np.cumsum(p)
            picked = np.searchsorted(bands, rng.random(n), side="right")
            for i in np.nonzero(picked < len(specs))[0].tolist():
                spec = specs[picked[i]]
                row = {c: values[c][i] for c in entity.columns}
                variant = spec.apply(row, rng, ctx)
                if variant is None:
                    continue
                lines[i] = self._line(entity, row)
                defective[i] = True
                self._count(spec.kind, entity, variant)

        extras: dict[int, list[str]] = defaultdict(list)  # inserted before row i
        if entity.name == "order_lines" and n:
            k = int(rng.binomial(n, min(1.0, ORPHAN_LINE_WEIGHT * self.rate)))
            for number in range(1, k + 1):
                pick = int(rng.integers(0, n))
                template = {c: values[c][pick] for c in entity.columns}
                extras[int(rng.integers(0, n + 1))].append(
                    self._line(entity, orphan_line(template, number, ctx))
                )
                self._count("orphan_order_line", entity, "order_id")

        dup = (rng.random(n) < DUPLICATE_WEIGHT * self.rate) & ~defective
        if dup.any():
            self._count("duplicate_row", entity, "adjacent", int(dup.sum()))

        resent: list[str] = []
        prev = self._prev_clean.get(entity.name)
        if prev and rng.random() < min(1.0, RESEND_DAY_WEIGHT * self.rate):
            share = rng.uniform(*RESEND_SHARE)
            k = max(1, round(share * len(prev)))
            idx = np.sort(rng.choice(len(prev), size=min(k, len(prev)), replace=False))
            resent = [prev[i] for i in idx.tolist()]
            self._count("resent_rows", entity, "previous_day", len(resent))

        out: list[str] = []
        for i in range(n):
            out.extend(extras.get(i, ()))
            out.append(lines[i])
            if dup[i]:
                out.append(lines[i])
        out.extend(extras.get(n, ()))
        out.extend(resent)
        return out


def _entity_number(entity: SourceEntity) -> int:
    """Position in the contract: part of the seed of the entity's defect stream."""
    return next(i for i, e in enumerate(ENTITIES) if e.key == entity.key)
