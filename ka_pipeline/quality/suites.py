"""Expectation suites: GX 1.x suite JSON plus the few keys this project adds in `meta`.

A suite file is what `gx.ExpectationSuite(**json)` accepts (`name`, `expectations` with
`type` / `kwargs` / `severity` / `meta`, `meta`, `notes`). The suite's `meta` says what it
validates:

    "meta": {
      "asset_key": ["raw", "erp", "orders"],     # the Dagster asset the check is attached to
      "table": "raw.erp__orders",                # the DuckDB relation the frame is read from
      "batch": "partitions" | "table",           # the run's business days, or the whole table
      "derived_columns": {"<name>": {"share_of_value": "<column>"}},  # marts, see frames
      "parameters": {"<name>": {"provider": "<provider>", ...}},    # see parameters.PROVIDERS
      "min_rows_to_block": 20,                   # see below
      "why": "..."                               # what the suite is for, and its choices
    }

Every expectation has GX 1.x's native `"severity": "critical" | "warning"` (critical:
downstream numbers would be wrong, so the check fails with ERROR and blocks; warning: a
person should look, the check fails with WARN) and a `why` in its `meta`. A `warning`
rule on a share of rows (`mostly`) may escalate: with `"error_above_percent": 10` it fails
with ERROR when more than 10 % of the rows break it (one rule, two thresholds: WARN above
1 - mostly, ERROR above 10 %). A column expectation blocks only on a batch of at least
`min_rows_to_block` rows (expectation meta, else suite meta, else 0): on a day with three
surveys one bad value is 33 %, which says nothing about the export; such failures are
reported as warnings.

Loading needs no GX import; `load_suite` checks the structure so a broken file fails at
code-location load and in the tests, not in the middle of a nightly run.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from ka_pipeline.settings import REPO_ROOT

EXPECTATIONS_DIR = REPO_ROOT / "expectations"

# GX's native expectation severity -> the Dagster check severity it fails with
SEVERITIES = {"critical": "error", "warning": "warn"}
BATCH_KINDS = ("partitions", "table")
_PARAMETER_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class SuiteError(ValueError):
    """A suite file that does not follow the format (named with its path)."""


@dataclass(frozen=True)
class Suite:
    name: str  # e.g. "raw.erp__orders": the validated relation
    path: Path
    asset_key: tuple[str, ...]
    table: str
    batch: str  # partitions | table
    expectations: tuple[dict[str, Any], ...]  # GX expectation configurations
    derived_columns: dict[str, dict[str, Any]] = field(default_factory=dict)
    parameters: dict[str, dict[str, Any]] = field(default_factory=dict)
    min_rows_to_block: int = 0
    why: str = ""
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def check_name(self) -> str:
        """Dagster check name: `gx_raw__erp__orders`, `gx_marts__mart_account_rfm`."""
        return "gx_" + self.name.replace(".", "__")

    @property
    def relative_path(self) -> str:
        try:
            return self.path.resolve().relative_to(REPO_ROOT).as_posix()
        except ValueError:
            return str(self.path)

    def severity(self, index: int) -> str:
        """`error` or `warn`: what a failure of expectation `index` is declared to be."""
        return SEVERITIES[self.expectations[index]["severity"]]

    def can_block(self, index: int) -> bool:
        """Whether expectation `index` can fail with ERROR severity."""
        meta = self.expectations[index].get("meta", {})
        return self.severity(index) == "error" or "error_above_percent" in meta

    def gx_json(self) -> dict[str, Any]:
        """The suite as GX takes it; each expectation's meta carries its index (`ka_index`)
        so results can be matched to their expectation whatever order GX returns them in."""
        return {
            "name": self.name,
            "meta": {"asset_key": list(self.asset_key), "table": self.table},
            "expectations": [
                {
                    "type": e["type"],
                    "kwargs": dict(e.get("kwargs", {})),
                    "severity": e["severity"],
                    "meta": {**e.get("meta", {}), "ka_index": i},
                }
                for i, e in enumerate(self.expectations)
            ],
        }

    def referenced_parameters(self) -> set[str]:
        """Names used in `{"$PARAMETER": "<expression>"}` kwargs (identifiers only)."""
        names: set[str] = set()
        for expectation in self.expectations:
            for value in expectation.get("kwargs", {}).values():
                if isinstance(value, dict) and "$PARAMETER" in value:
                    names |= set(_PARAMETER_NAME.findall(value["$PARAMETER"]))
        return names


def _fail(path: Path, message: str) -> SuiteError:
    return SuiteError(f"{path}: {message}")


def load_suite(path: Path) -> Suite:
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise _fail(path, f"not a readable JSON file ({error})") from None
    meta = data.get("meta") or {}
    name = data.get("name")
    if not name or not isinstance(name, str):
        raise _fail(path, "the suite has no `name`")
    for key in ("asset_key", "table", "batch"):
        if key not in meta:
            raise _fail(path, f"suite meta lacks `{key}`")
    if meta["batch"] not in BATCH_KINDS:
        raise _fail(path, f"meta.batch must be one of {BATCH_KINDS}, got {meta['batch']!r}")
    expectations = data.get("expectations") or []
    if not expectations:
        raise _fail(path, "the suite has no expectations")
    for i, expectation in enumerate(expectations):
        where = f"expectation {i} ({expectation.get('type')})"
        if not str(expectation.get("type", "")).startswith("expect_"):
            raise _fail(path, f"{where}: `type` must name a GX expectation")
        expectation_meta = expectation.get("meta") or {}
        if expectation.get("severity") not in SEVERITIES:
            raise _fail(path, f"{where}: `severity` must be one of {sorted(SEVERITIES)}")
        above = expectation_meta.get("error_above_percent")
        if above is not None and not (
            isinstance(above, int | float)
            and 0 < above <= 100
            and "mostly" in expectation["kwargs"]
        ):
            raise _fail(path, f"{where}: error_above_percent needs a `mostly` and a 0 .. 100 share")
    suite = Suite(
        name=name,
        path=path,
        asset_key=tuple(meta["asset_key"]),
        table=meta["table"],
        batch=meta["batch"],
        expectations=tuple(expectations),
        derived_columns=dict(meta.get("derived_columns") or {}),
        parameters=dict(meta.get("parameters") or {}),
        min_rows_to_block=int(meta.get("min_rows_to_block", 0)),
        why=meta.get("why", ""),
        meta=meta,
    )
    provided = set()
    for param_name, spec in suite.parameters.items():
        provided |= set(parameter_names(param_name, spec))
    missing = suite.referenced_parameters() - provided
    if missing:
        raise _fail(path, f"expectations use undeclared parameters {sorted(missing)}")
    return suite


def parameter_names(name: str, spec: dict[str, Any]) -> list[str]:
    """Parameter names a `meta.parameters` entry provides (some providers give several)."""
    if spec.get("provider") == "recent_row_count":
        return [f"{name}_expected", f"{name}_low", f"{name}_high", f"{name}_block"]
    return [name]


@cache
def _load_dir(directory: Path) -> tuple[Suite, ...]:
    return tuple(load_suite(p) for p in sorted(directory.rglob("*.json")))


def load_suites(directory: Path = EXPECTATIONS_DIR, layer: str | None = None) -> list[Suite]:
    """Every suite under `directory` (cached per process), optionally of one layer
    (the first part of the asset key: `raw`, `marts`)."""
    suites = _load_dir(Path(directory).resolve())
    return [s for s in suites if layer is None or s.asset_key[0] == layer]
