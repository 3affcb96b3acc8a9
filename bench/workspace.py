"""A throw-away pipeline home per measured build: landing, warehouse, Dagster instance.

The landing folder is made of hard links into the cached data set (no copying), without
the files of `config.NEW_DAY`: those are linked in later as the night's new delivery.
"""

from __future__ import annotations

import os
import shutil
import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import yaml

from bench import config
from bench.datasets import SUMMARY_FILE, Dataset
from ka_pipeline.settings import DEFAULT_MAPPING_FILE, REPO_ROOT, Settings


@dataclass(frozen=True)
class BenchWorkspace:
    root: Path
    dataset: Dataset

    @property
    def env(self) -> dict[str, str]:
        keep = {k: v for k, v in os.environ.items() if not k.startswith(("KA_", "DAGSTER_"))}
        for name in ("KA_DUCKDB_MEMORY_LIMIT", "KA_DUCKDB_THREADS"):
            if name in os.environ:
                keep[name] = os.environ[name]
        return {
            **keep,
            "KA_DATA_DIR": str(self.root / "data"),
            "KA_PII_SALT": config.BENCH_PII_SALT,
            "KA_MAPPING_FILE": str(self.mapping_file),
            "DAGSTER_HOME": str(self.dagster_home),
            "DAGSTER_EMIT_PARTITION_SUBSET_IN_PLANNED_EVENTS": "true",
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
            "DO_NOT_TRACK": "1",
            "GX_ANALYTICS_ENABLED": "false",
            "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        }

    @property
    def settings(self) -> Settings:
        return Settings.from_env(self.env)

    @property
    def mapping_file(self) -> Path:
        return self.root / "landing_mapping.yaml"

    @property
    def dagster_home(self) -> Path:
        return self.root / "dagster_home"

    def deliver_day(self, day: date) -> int:
        """Link the files of `day` into the landing folder; returns how many."""
        return _link_tree(self.dataset.landing_dir, self.settings.landing_dir, only_day=day)


def _day_token(day: date) -> str:
    return f"_{day.isoformat()}."


def _link_tree(
    source: Path, target: Path, *, only_day: date | None = None, skip_day: date | None = None
) -> int:
    linked = 0
    for path in source.rglob("*"):
        if not path.is_file() or path.name == SUMMARY_FILE:
            continue
        if only_day is not None and _day_token(only_day) not in path.name:
            continue
        if skip_day is not None and _day_token(skip_day) in path.name:
            continue
        destination = target / path.relative_to(source)
        destination.parent.mkdir(parents=True, exist_ok=True)
        os.link(path, destination)
        linked += 1
    return linked


def _write_mapping(path: Path) -> None:
    """The default landing mapping, with days before the data set's first day not expected.

    Extraction partitions are months and expect every day of a month up to yesterday
    (real time); the data set covers fixed past dates that start and end mid-month, so
    the bench declares `on_missing_day: skip` (a documented mapping option) instead.
    """
    mapping = yaml.safe_load(DEFAULT_MAPPING_FILE.read_text())
    for entity in mapping["entities"].values():
        if "{date}" in entity["path"]:
            entity["on_missing_day"] = "skip"
    path.write_text(yaml.safe_dump(mapping, sort_keys=False, allow_unicode=True))


def fresh_workspace(root: Path, dataset: Dataset, *, link_history: bool = True) -> BenchWorkspace:
    """An empty pipeline home over the data set's history up to the day before NEW_DAY."""
    shutil.rmtree(root, ignore_errors=True)
    workspace = BenchWorkspace(root, dataset)
    workspace.dagster_home.mkdir(parents=True)
    shutil.copy(REPO_ROOT / "dagster.yaml", workspace.dagster_home / "dagster.yaml")
    _write_mapping(workspace.mapping_file)
    if link_history:
        _link_tree(dataset.landing_dir, workspace.settings.landing_dir, skip_day=config.NEW_DAY)
    return workspace
