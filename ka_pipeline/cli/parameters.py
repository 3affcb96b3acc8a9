"""Metric parameters given on the command line (`--vars`, `--set`), checked before a run.

The names must be parameters of the `vars:` block of `dbt_project/dbt_project.yml`; the
values are then checked by the project's own rule (`validate_parameters`, run as a dbt
operation), so a bad value stops the command before anything is extracted and the rule
exists once, in dbt.
"""

from __future__ import annotations

import tempfile
from dataclasses import replace
from pathlib import Path
from typing import Any

import yaml

from ka_pipeline.cli.errors import CliError
from ka_pipeline.settings import DBT_PROJECT_DIR, Settings

PROJECT_FILE = DBT_PROJECT_DIR / "dbt_project.yml"
# set by the run itself from its partitions: a user value would fight the window
RUN_MANAGED = frozenset({"min_date", "max_date"})


def known_parameters() -> dict[str, Any]:
    """The parameters of dbt_project.yml `vars:` with their defaults."""
    return yaml.safe_load(PROJECT_FILE.read_text(encoding="utf-8"))["vars"]


def parse_parameters(vars_text: str | None, assignments: list[str]) -> dict[str, Any]:
    """`--vars '{a: 1}'` then each `--set key=value` (YAML values), as one mapping."""
    values: dict[str, Any] = {}
    if vars_text:
        values.update(_yaml_mapping(vars_text, "--vars"))
    for assignment in assignments:
        key, sep, text = assignment.partition("=")
        if not sep or not key.strip():
            raise CliError(
                f"--set {assignment!r}: expected key=value, e.g. --set rfm_window_months=6"
            )
        values[key.strip()] = _yaml_value(text, f"--set {key.strip()}")
    known = known_parameters()
    unknown = sorted(set(values) - set(known))
    if unknown:
        raise CliError(
            f"unknown parameter(s) {', '.join(unknown)}: the parameters are the `vars:` of "
            f"{PROJECT_FILE} ({', '.join(sorted(set(known) - RUN_MANAGED))})"
        )
    managed = sorted(set(values) & RUN_MANAGED)
    if managed:
        raise CliError(f"{', '.join(managed)} follow the run's days: use --start / --end instead")
    return values


def check_parameters(settings: Settings, values: dict[str, Any]) -> None:
    """Run the project's parameter rule on `values`; a CliError names each broken one."""
    if not values:
        return
    from ka_pipeline.defs.dbt.project import run_dbt

    # YAML, as dbt reads --vars: JSON would turn .nan into the text "NaN", and the message
    # would not show the value given
    vars_text = yaml.safe_dump(values, default_flow_style=True, width=1 << 30).strip()
    # a throw-away database and target: the check must not wait for, or touch, the
    # warehouse or the manifest a run loads
    with tempfile.TemporaryDirectory(prefix="ka-parameters-") as scratch:
        scratch_settings = replace(settings, warehouse_path=Path(scratch) / "check.duckdb")
        result = run_dbt(
            scratch_settings,
            ["--no-use-colors", "run-operation", "validate_parameters", "--vars",
             vars_text, "--target-path", str(Path(scratch) / "target"),
             "--log-path", str(Path(scratch) / "logs")],
            capture_output=True,
            text=True,
        )  # fmt: skip
    if result.returncode != 0:
        output = result.stdout + result.stderr
        problem = next(
            (
                line[line.index("Invalid dbt parameters") :].strip()
                for line in output.splitlines()
                if "Invalid dbt parameters" in line
            ),
            output.strip().splitlines()[-1] if output.strip() else "dbt could not check them",
        )
        raise CliError(f"bad parameter: {problem}")


def _yaml_mapping(text: str, option: str) -> dict[str, Any]:
    value = _yaml_value(text, option)
    if not isinstance(value, dict):
        raise CliError(f"{option} {text!r}: expected a mapping, e.g. '{{as_of_date: 2026-06-30}}'")
    return {str(k): v for k, v in value.items()}


def _yaml_value(text: str, option: str) -> Any:
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise CliError(f"{option} {text!r}: not valid YAML ({error.problem})") from None
    except ValueError as error:  # YAML reads 2024-02-31 as a date, and no such day exists
        raise CliError(f"{option} {text!r}: {error}") from None
