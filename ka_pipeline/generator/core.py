"""`generate()`: write a deterministic sample of every source file to the landing area."""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from pathlib import Path

import numpy as np

from ka_pipeline.generator.calendar import cents_text
from ka_pipeline.generator.events import EventEngine
from ka_pipeline.generator.reference import REGIONS
from ka_pipeline.generator.render import Renderer
from ka_pipeline.generator.world import PATH_NAMES, World, build_world
from ka_pipeline.generator.writer import LandingWriter
from ka_pipeline.landing.contract import ENTITIES, ENTITIES_BY_KEY, SourceEntity

SUMMARY_FILE = "_generator_summary.json"


@dataclass
class GenerationSummary:
    """What `generate()` wrote: deterministic (no timestamps), also saved as JSON."""

    start: str
    end: str
    seed: int
    scale: float
    defect_rate: float
    days: int
    accounts: int
    sales_reps: int
    products: int
    account_paths: dict[str, int]  # lifecycle path the generator gave each account
    rows: dict[str, int]  # entity key -> data rows written (header excluded)
    files: dict[str, int]  # entity key -> files written
    defects: dict[str, dict[str, int]] = field(default_factory=dict)  # kind -> entity -> rows
    defect_variants: dict[str, dict[str, int]] = field(default_factory=dict)  # kind:variant

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, indent=2, sort_keys=True) + "\n"

    def describe(self) -> str:
        width = max(len(k) for k in self.rows)
        lines = [
            f"{self.start} .. {self.end} ({self.days} days), seed {self.seed}, "
            f"scale {self.scale:g}, defects {self.defect_rate:g}: {self.accounts} accounts, "
            f"{self.sales_reps} reps, {self.products} products",
            *(
                f"  {key:<{width}}  {self.rows[key]:>10,} rows  {self.files[key]:>5} files"
                for key in self.rows
            ),
        ]
        if self.defects:
            lines.append("Injected defects:")
            for kind, per_entity in self.defects.items():
                detail = ", ".join(f"{e} {n}" for e, n in per_entity.items())
                lines.append(f"  {kind}: {sum(per_entity.values())} ({detail})")
        return "\n".join(lines)


def default_date_range(today: date) -> tuple[date, date]:
    """About three years up to yesterday, starting on the first of a month.

    The extraction is partitioned by month, so a sample that starts mid-month would leave
    its first month partition with days whose files were never delivered.
    """
    end = today - timedelta(days=1)
    return end.replace(year=end.year - 3, day=1), end


def account_paths(
    start: date, end: date, *, seed: int = 42, scale: float = 1.0
) -> dict[str, tuple[str, date]]:
    """Ground truth for tests of the marts: account_id -> (lifecycle path, its day).

    The path is stable, growth, decline, churned or new; the day is when growth or decline
    starts, the churn day (no order from then on), or the day a new account was won.
    """
    world = build_world(start, end, seed=seed, scale=scale)
    acc = world.accounts
    return {
        acc.ids[i]: (PATH_NAMES[acc.path[i]], world.cal.date(int(acc.path_day[i])))
        for i in range(acc.n)
    }


def _clear_previous(landing_dir: Path) -> None:
    """Remove files a previous run wrote (so a shorter range leaves no stale days)."""
    for entity in ENTITIES:
        if entity.daily:
            folder = entity.path_for(landing_dir, date(2000, 1, 1)).parent
            pattern = re.compile(rf"{re.escape(entity.name)}_\d{{4}}-\d{{2}}-\d{{2}}\.")
            if folder.is_dir():
                for path in folder.iterdir():
                    if pattern.match(path.name) and path.suffix == f".{entity.extension}":
                        path.unlink()
        else:
            entity.path_for(landing_dir).unlink(missing_ok=True)
    (landing_dir / SUMMARY_FILE).unlink(missing_ok=True)


def _reps_values(world: World) -> dict[str, list]:
    reps, cal = world.reps, world.cal
    return {
        "rep_id": list(reps.ids),
        "rep_name": list(reps.names),
        "team": list(reps.teams),
        "region": [REGIONS[r][1] for r in reps.region.tolist()],
        "hire_date": cal.iso(reps.hire_day).tolist(),
        "is_active": ["true" if d >= cal.n_days else "false" for d in reps.leave_day.tolist()],
    }


def _products_values(world: World) -> dict[str, list]:
    p, cal = world.products, world.cal
    return {
        "product_id": list(p.ids),
        "product_name": list(p.names),
        "category": [p.category_names[c] for c in p.category.tolist()],
        "product_line": list(p.lines),
        "list_price_cny": cents_text(p.list_cents),
        "unit_cost_cny": cents_text(p.cost_cents),
        "launched_date": cal.iso(p.launch_day).tolist(),
    }


def generate(
    landing_dir: Path,
    *,
    start: date,
    end: date,
    seed: int = 42,
    scale: float = 1.0,
    defects: float = 0.0,
) -> GenerationSummary:
    """Write every contract file for the days start..end into `landing_dir`.

    Deterministic: the same arguments give byte-identical files. Memory stays bound by one
    month of events whatever the scale (events are drawn month by month, written day by day).
    """
    if end < start:
        raise ValueError(f"end {end} is before start {start}")
    if not 0.0 <= defects <= 1.0:
        raise ValueError(f"defects must be a rate in [0, 1], got {defects}")
    if scale <= 0:
        raise ValueError(f"scale must be positive, got {scale}")
    landing_dir = Path(landing_dir)
    landing_dir.mkdir(parents=True, exist_ok=True)
    _clear_previous(landing_dir)

    world = build_world(start, end, seed=seed, scale=scale)
    writer = LandingWriter(landing_dir, world, defects)
    writer.write_snapshot(ENTITIES_BY_KEY["crm/sales_reps"], _reps_values(world))
    writer.write_snapshot(ENTITIES_BY_KEY["erp/products"], _products_values(world))

    daily: list[SourceEntity] = [e for e in ENTITIES if e.daily]
    engine, renderer = EventEngine(world), Renderer(world)
    for index, (first, last) in enumerate(world.cal.months()):
        batch = engine.month(first, last, index)
        for entity in daily:
            cols = batch.get(entity.name) or {}
            render = renderer.by_entity[entity.name]
            bounds = (
                np.searchsorted(cols["day"], np.arange(first, last + 2))
                if cols
                else np.zeros(last - first + 2, dtype=np.int64)
            )
            for k, day in enumerate(range(first, last + 1)):
                lo, hi = int(bounds[k]), int(bounds[k + 1])
                values = render({c: v[lo:hi] for c, v in cols.items()}) if hi > lo else None
                writer.write_day(entity, day, values)
        del batch

    acc = world.accounts
    summary = GenerationSummary(
        start=start.isoformat(),
        end=end.isoformat(),
        seed=seed,
        scale=scale,
        defect_rate=defects,
        days=world.cal.n_days,
        accounts=acc.n,
        sales_reps=len(world.reps.ids),
        products=len(world.products.ids),
        account_paths={name: int((acc.path == i).sum()) for i, name in enumerate(PATH_NAMES)},
        rows={e.key: writer.rows[e.key] for e in ENTITIES},
        files={e.key: writer.files[e.key] for e in ENTITIES},
        defects={k: dict(sorted(v.items())) for k, v in sorted(writer.defects.items())},
        defect_variants={k: dict(sorted(v.items())) for k, v in sorted(writer.variants.items())},
    )
    (landing_dir / SUMMARY_FILE).write_text(summary.to_json(), encoding="utf-8")
    return summary
