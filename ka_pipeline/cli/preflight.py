"""What a run needs before it starts, checked up front so a failure is one clear message:
the dbt manifest, a warehouse no other process holds, days inside the partitions, the PII
salt the warehouse was built with, and a Dagster instance directory."""

from __future__ import annotations

import os
import shutil
from datetime import date

import duckdb

from ka_pipeline.cli.errors import EXIT_ENVIRONMENT, EXIT_USAGE, CliError
from ka_pipeline.exposures import MANIFEST_PATH
from ka_pipeline.mapping import Mapping
from ka_pipeline.mapping.files import describe_future_files, future_dated_files
from ka_pipeline.salt_fingerprint import PiiSaltChangedError, check_salt
from ka_pipeline.secrets import pii_salt
from ka_pipeline.settings import REPO_ROOT, Settings
from ka_pipeline.warehouse_lock import WarehouseHeldError, wait_until_free

INSTANCE_CONFIG = REPO_ROOT / "dagster.yaml"


def require_manifest() -> None:
    if not MANIFEST_PATH.exists():
        raise CliError(
            f"the dbt manifest {MANIFEST_PATH} is missing: run `make setup` or "
            "`ka-pipeline dbt parse` first",
            EXIT_ENVIRONMENT,
        )


def require_free_warehouse(settings: Settings) -> None:
    """Wait at most KA_WAREHOUSE_WAIT_SECONDS for another process to release the warehouse,
    then fail naming the holder: the run's steps do not wait on their own."""
    try:
        wait_until_free(settings.warehouse_path, settings.warehouse_wait_seconds)
    except WarehouseHeldError as error:
        raise CliError(str(error), EXIT_ENVIRONMENT) from None


def require_no_future_files(settings: Settings, mapping: Mapping, today: date) -> None:
    """A file named for a day after today (in the business timezone) is named as the cause,
    before its day stretches the run's range and every entity reports its missing days."""
    future = future_dated_files(mapping.entities.values(), settings.landing_dir, today)
    if future:
        raise CliError(describe_future_files(future, today, settings.timezone), EXIT_USAGE)


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
