"""The dbt project, and dbt run with the settings' environment.

`profiles.yml` holds no defaults of its own, so every dbt process gets its connection
values from `Settings.dbt_env()`: through the dbt resource in a Dagster run, through
`run_dbt` (`ka-pipeline dbt ...`, `make docs`, the manifest) everywhere else.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from dagster_dbt import DbtProject

from ka_pipeline.settings import DBT_PROJECT_DIR, Settings

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)


def dbt_executable() -> str:
    """The dbt installed next to this interpreter, whatever PATH says."""
    return str(Path(sys.executable).parent / "dbt")


def run_dbt(settings: Settings, args: Sequence[str], **kwargs) -> subprocess.CompletedProcess:
    """`dbt <args>` on this project with the settings' connection values."""
    env = {
        **os.environ,
        **settings.dbt_env(),
        "DBT_PROJECT_DIR": str(DBT_PROJECT_DIR),
        "DBT_PROFILES_DIR": str(DBT_PROJECT_DIR),
    }
    kwargs.setdefault("check", False)
    kwargs.setdefault("cwd", DBT_PROJECT_DIR)
    return subprocess.run([dbt_executable(), *args], env=env, **kwargs)


def prepare_manifest_if_dev(settings: Settings) -> None:
    """Re-parse the manifest under `dagster dev`, as `DbtProject.prepare_if_dev` would, but
    with the settings' environment (that one runs dbt with this process's environment)."""
    if os.environ.get("DAGSTER_IS_DEV_CLI"):
        run_dbt(settings, ["parse", "--quiet"], check=True)
