"""Shared fixtures: generated samples and real pipeline runs in temporary directories.

Full builds are expensive (dbt start-up, a year and a half of daily files), so each
sample is built once per session and the tests read the resulting warehouse.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest

from ka_pipeline.defs.extract.assets import build_extract_assets
from ka_pipeline.defs.partitions import monthly_partitions
from ka_pipeline.extract.loader import expected_deliveries, load_deliveries
from ka_pipeline.landing.contract import ENTITIES
from ka_pipeline.quality.suites import Suite, load_suites
from ka_pipeline.settings import DBT_PROJECT_DIR, REPO_ROOT, Settings

SAMPLE_START, SAMPLE_END = date(2023, 7, 1), date(2024, 12, 31)
SHARED_BUILDS = ("clean_build", "defects_build")


@pytest.hookimpl(tryfirst=True)  # before xdist's own hook turns the marks into groups
def pytest_collection_modifyitems(items):
    """Group tests for `pytest -n 2 --dist loadgroup` (make test) by what they build.

    Every test on a shared session build runs on the worker that built it (each build
    once); every other module runs whole on one worker, so module fixtures build once too.
    dbt is mostly single-threaded Python: two workers use both cores of the machine.
    """
    for item in items:
        group = next((name for name in SHARED_BUILDS if name in item.fixturenames), None)
        item.add_marker(pytest.mark.xdist_group(group or item.module.__name__))


SAMPLE_SCALE = 0.4


def extract_assets(settings: Settings | None = None) -> list:
    """The extraction assets, partitioned as the code location bound to `settings` (default:
    the defaults) partitions them."""
    return build_extract_assets(monthly_partitions(settings or Settings.from_env({})))


@dataclass(frozen=True)
class Workspace:
    """A self-contained pipeline home: landing files, warehouse, Dagster instance."""

    root: Path

    @property
    def env(self) -> dict[str, str]:
        # KA_* of this process (e.g. a KA_DATA_DIR of the developer's shell) must not leak
        # into this workspace
        inherited = {k: v for k, v in os.environ.items() if not k.startswith("KA_")}
        return {
            **inherited,
            "KA_DATA_DIR": str(self.root / "data"),
            "DAGSTER_HOME": str(self.root / "dagster_home"),
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
            "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        }

    @property
    def settings(self) -> Settings:
        return Settings.from_env(self.env)

    def cli(
        self,
        *args: str,
        check: bool = True,
        env: dict[str, str] | None = None,
        python: Path | None = None,
    ) -> subprocess.CompletedProcess:
        result = subprocess.run(
            [str(python or sys.executable), "-m", "ka_pipeline.cli", *args],
            env={**self.env, **(env or {})},
            capture_output=True,
            text=True,
            cwd=self.root,
            timeout=900,
        )
        if check and result.returncode != 0:
            raise AssertionError(
                f"ka-pipeline {' '.join(args)} exited {result.returncode}\n"
                f"--- stdout\n{result.stdout[-4000:]}\n--- stderr\n{result.stderr[-6000:]}"
            )
        return result

    def dbt(self, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
        env = {**self.env, **self.settings.dbt_env(), **(env or {})}
        result = subprocess.run(
            [str(Path(sys.executable).parent / "dbt"), *args, "--project-dir", str(DBT_PROJECT_DIR),
             "--profiles-dir", str(DBT_PROJECT_DIR), "--target-path", str(self.root / "dbt_target"),
             "--log-path", str(self.root / "dbt_logs")],
            env=env, capture_output=True, text=True, timeout=900,
        )  # fmt: skip
        if result.returncode != 0:
            raise AssertionError(f"dbt {' '.join(args)} failed:\n{result.stdout[-6000:]}")
        return result

    def query(self, sql: str, params: list | None = None) -> list[tuple]:
        with duckdb.connect(str(self.settings.warehouse_path), read_only=True) as conn:
            return conn.execute(sql, params or []).fetchall()

    def generator_summary(self) -> dict:
        return json.loads((self.settings.landing_dir / "_generator_summary.json").read_text())


def copy_build(build: Workspace, root: Path) -> None:
    """A private copy of `build` under `root`: landing, warehouse, outputs (the serving
    area's `current` stays a relative symlink) and the Dagster instance."""
    for folder in ("data", "dagster_home"):
        shutil.copytree(build.root / folder, root / folder, symlinks=True)


def make_workspace(root: Path) -> Workspace:
    (root / "dagster_home").mkdir(parents=True)
    shutil.copy(REPO_ROOT / "dagster.yaml", root / "dagster_home" / "dagster.yaml")
    return Workspace(root)


def sample_args(defects: float = 0.0) -> list[str]:
    return [
        "--start", SAMPLE_START.isoformat(),
        "--end", SAMPLE_END.isoformat(),
        "--scale", str(SAMPLE_SCALE),
        "--seed", "7",
        "--defects", str(defects),
    ]  # fmt: skip


@pytest.fixture(scope="session")
def clean_build(tmp_path_factory) -> Workspace:
    """A clean sample generated and built end to end through the `ka-pipeline` CLI."""
    ws = make_workspace(tmp_path_factory.mktemp("clean"))
    ws.cli("generate", *sample_args())
    run = ws.cli("run")
    (ws.root / "run_output.txt").write_text(run.stdout + run.stderr, encoding="utf-8")
    return ws


@pytest.fixture(scope="session")
def defects_build(tmp_path_factory) -> Workspace:
    """A sample with every kind of injected defect: real loader, real `dbt build`.

    The Dagster path is covered by `clean_build`; here the loader, dbt and the analytics
    stage run directly, which skips Dagster's per-check event bookkeeping.
    """
    ws = make_workspace(tmp_path_factory.mktemp("defects"))
    ws.cli("generate", *sample_args(defects=0.03))
    load_all(ws.settings, SAMPLE_START, SAMPLE_END)
    ws.dbt("build")  # with the unit tests, which Dagster runs skip
    shutil.copy(ws.root / "dbt_target" / "run_results.json", ws.root / "build_run_results.json")
    from ka_pipeline.analytics import DuckDBWarehouse, run_stage  # scikit-learn: import late

    with duckdb.connect(str(ws.settings.warehouse_path)) as conn:  # as the analytics asset does
        run_stage(DuckDBWarehouse(conn))
    return ws


@pytest.fixture
def warehouse(sample, tmp_path) -> Path:
    """A private copy of the module's `sample` warehouse (`sample` = (landing, warehouse))."""
    copy = tmp_path / "warehouse.duckdb"
    shutil.copy(sample[1], copy)
    return copy


def raw_suite(name: str) -> Suite:
    return next(s for s in load_suites(layer="raw") if s.name == name)


def load_all(settings: Settings, start: date, end: date) -> None:
    """Every landing file of [start, end] into the raw schema, as the extraction assets do."""
    days = [start + timedelta(days=n) for n in range((end - start).days + 1)]
    settings.warehouse_path.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(settings.warehouse_path)) as conn:
        for entity in ENTITIES:
            deliveries = expected_deliveries(entity, settings.landing_dir, days)
            load_deliveries(conn, entity, deliveries, settings.landing_dir)
