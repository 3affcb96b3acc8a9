"""What a run needs before it starts, checked up front so a failure is one clear message:
the dbt manifest, a warehouse no other process holds, days inside the partitions, the PII
salt the warehouse was built with, and a Dagster instance directory."""

from __future__ import annotations

import os
import re
import shutil
from datetime import date

import duckdb

from ka_pipeline.cli.errors import EXIT_ENVIRONMENT, EXIT_USAGE, CliError
from ka_pipeline.exposures import MANIFEST_PATH
from ka_pipeline.salt_fingerprint import PiiSaltChangedError, check_salt
from ka_pipeline.secrets import pii_salt
from ka_pipeline.settings import REPO_ROOT, Settings

INSTANCE_CONFIG = REPO_ROOT / "dagster.yaml"
_HOLDER = re.compile(r"\(PID (\d+)\)")


def require_manifest() -> None:
    if not MANIFEST_PATH.exists():
        raise CliError(
            f"the dbt manifest {MANIFEST_PATH} is missing: run `make setup` or "
            "`ka-pipeline dbt parse` first",
            EXIT_ENVIRONMENT,
        )


def require_free_warehouse(settings: Settings) -> None:
    """Fail at once, naming the holder, when another process has the warehouse open: the
    run's steps would otherwise each wait for the lock before failing."""
    path = settings.warehouse_path
    if not path.exists():
        return
    try:
        duckdb.connect(str(path)).close()
    except duckdb.IOException as error:
        holder = _HOLDER.search(str(error))
        who = f"process {holder.group(1)}" if holder else "another process"
        raise CliError(
            f"the warehouse {path} is held by {who} (a running build, `make dev` materializing, "
            "or a client with the file open): wait for it or stop it, then run again",
            EXIT_ENVIRONMENT,
        ) from None


def require_pii_salt(settings: Settings, *, rotate: bool) -> None:
    """A too-short salt, or one other than the warehouse's without `--rotate-pii-salt`, stops
    the run here, before anything is extracted (the dbt step checks again for Dagster runs)."""
    try:
        salt = pii_salt(settings.data_dir)
    except ValueError as error:
        raise CliError(str(error), EXIT_USAGE) from None
    if not settings.warehouse_path.exists():
        return
    try:
        with duckdb.connect(str(settings.warehouse_path), read_only=True) as conn:
            check_salt(conn, salt, rotate=rotate)
    except PiiSaltChangedError as error:
        raise CliError(str(error), EXIT_USAGE) from None


def require_days_in_partitions(settings: Settings, first: date, last: date, today: date) -> None:
    """Days before KA_PARTITIONS_START, or in a month after the current one, have no
    partition to run in."""
    start = date.fromisoformat(settings.partitions_start)
    if last.replace(day=1) > today.replace(day=1):
        raise CliError(
            f"the newest day to load, {last}, is in the future (today is {today} in "
            f"{settings.timezone}): a file named for a future day, or --end, is wrong. "
            "`ka-pipeline check-mapping` lists the files by day",
            EXIT_USAGE,
        )
    if first < start:
        raise CliError(
            f"the data starts on {first}, before KA_PARTITIONS_START={start}: no partition "
            f"can hold it. Set KA_PARTITIONS_START={first.replace(day=1)} (or earlier) and run "
            "again, or pass --start on or after it",
            EXIT_USAGE,
        )
    if first > last:
        raise CliError(f"--start {first} is after --end {last}", EXIT_USAGE)


def ensure_instance(settings: Settings) -> None:
    """The Dagster instance directory (default `<data>/dagster_home`), created with the
    shipped dagster.yaml; DAGSTER_HOME overrides it. The CLI is an entry point: it tells
    Dagster, in its own process, where the instance is."""
    home = settings.dagster_home
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    if not config.exists():
        shutil.copyfile(INSTANCE_CONFIG, config)
    os.environ["DAGSTER_HOME"] = str(home)
