"""The report's design rules, checked without a warehouse.

1. `ka_pipeline/report/` does no arithmetic on mart values: metrics are defined once, in dbt.
   On the syntax tree of every module of the package:
   - no call of a method or function that aggregates or derives values
     (AGGREGATIONS: sum, mean, groupby, pivot_table, pct_change, ...); `max`/`min` are
     allowed: they pick an existing value (an axis or colour scale), they derive none;
   - no arithmetic operator (+ - * / // % **, also augmented: +=, ...) with an operand that
     reads a mart value: `x["<column>"]` or `x.<column>` where <column> is a column
     documented in the marts' YAML (dbt_project/models/marts/**), or any
     `.loc` / `.iloc` / `.at` / `.iat` lookup.
   Unit conversion and layout (`value / 1e4`, `x - 0.19`) operate on local values and pass.
2. The marts the report reads are exactly the dbt exposure's depends_on, and the exposure
   lists every report mart.
"""

from __future__ import annotations

import ast
import json
import subprocess

import pytest
import yaml

from ka_pipeline.exposures import MANIFEST_PATH
from ka_pipeline.report import sources
from ka_pipeline.settings import DBT_PROJECT_DIR, REPO_ROOT

REPORT_PACKAGE = REPO_ROOT / "ka_pipeline" / "report"
MARTS_MODELS = DBT_PROJECT_DIR / "models" / "marts"

AGGREGATIONS = frozenset({
    "sum", "mean", "median", "std", "var", "prod", "product", "quantile", "nunique",
    "value_counts", "cumsum", "cumprod", "cummax", "cummin", "diff", "pct_change", "groupby",
    "pivot_table", "crosstab", "agg", "aggregate", "transform", "resample", "rolling",
    "expanding", "ewm", "average", "nansum", "nanmean", "size",
})  # fmt: skip
ARITHMETIC = (ast.Add, ast.Sub, ast.Mult, ast.Div, ast.FloorDiv, ast.Mod, ast.Pow)
LOOKUPS = frozenset({"loc", "iloc", "at", "iat"})


def mart_columns() -> frozenset[str]:
    """Every column documented in the marts' model YAML, and in the tables of the sources
    declared there (the analytics stage's marts)."""
    columns = set()
    for path in MARTS_MODELS.rglob("*.yml"):
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        tables = [t for source in document.get("sources", []) for t in source.get("tables", [])]
        for model in document.get("models", []) + tables:
            columns.update(c["name"] for c in model.get("columns", []))
    return frozenset(columns)


def _reads_mart_value(node: ast.AST, columns: frozenset[str]) -> bool:
    if isinstance(node, ast.Subscript):
        key = node.slice
        if isinstance(key, ast.Constant) and key.value in columns:
            return True
        return isinstance(node.value, ast.Attribute) and node.value.attr in LOOKUPS
    return isinstance(node, ast.Attribute) and node.attr in columns


def violations(source: str, columns: frozenset[str], name: str = "<source>") -> list[str]:
    """The places in `source` that aggregate or compute with mart values."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call):
            func = node.func
            called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if called in AGGREGATIONS:
                found.append(f"{name}:{node.lineno}: aggregation {called}()")
        operands: list[ast.AST] = []
        if isinstance(node, ast.BinOp) and isinstance(node.op, ARITHMETIC):
            operands = [node.left, node.right]
        elif isinstance(node, ast.AugAssign) and isinstance(node.op, ARITHMETIC):
            operands = [node.target, node.value]
        if any(_reads_mart_value(operand, columns) for operand in operands):
            found.append(f"{name}:{node.lineno}: arithmetic on a mart value")
    return found


def test_report_does_no_arithmetic_on_mart_values():
    columns = mart_columns()
    assert {"revenue_cny", "key_account_revenue_share", "window_revenue_cny"} <= columns
    assert {"z_score", "lower_cny", "model_value", "churn_rate_flagged"} <= columns
    found = [
        problem
        for path in sorted(REPORT_PACKAGE.glob("*.py"))
        for problem in violations(path.read_text(encoding="utf-8"), columns, path.name)
    ]
    assert found == []


@pytest.mark.parametrize(
    "snippet",
    [
        "share = frame['key_account_revenue_cny'] / frame['revenue_cny']",
        "total = row.revenue_cny + row.margin_cny",
        "other = kpis['window_revenue_cny'] - kpis['key_account_revenue_cny']",
        "first = months.iloc[0] * 2",
        "totals = monthly.groupby('month_start').sum()",
        "growth = months['revenue_cny'].pct_change()",
        "count = frame['account_id'].nunique()",
        "x = 1\nx += frame['revenue_cny']",
        "grid = rfm.pivot_table(index='r_score', values='revenue_cny', aggfunc='sum')",
    ],
)
def test_the_arithmetic_rule_catches_computations(snippet):
    assert violations(snippet, mart_columns()) != []


def test_the_arithmetic_rule_catches_the_old_report_code():
    """The pandas reshaping the report did before the report marts existed fails the rule."""
    old = subprocess.run(
        ["git", "show", "8a4fe85:ka_pipeline/report/data.py"],
        cwd=REPO_ROOT, capture_output=True, text=True, check=False,
    )  # fmt: skip
    if old.returncode != 0:
        pytest.skip("the repository history is not available")
    assert len(violations(old.stdout, mart_columns())) > 20


def test_formatting_and_layout_pass_the_rule():
    allowed = "\n".join([
        "text = f'{value / 1e4:,.1f}'",
        "left = (widest - reached) / 2",
        "bars = ax.bar(x - 0.19, key)",
        "folder = staging / lang.code",
        "peak = grid.to_numpy().max()",
    ])  # fmt: skip
    assert violations(allowed, mart_columns()) == []


def test_report_marts_are_the_exposures_depends_on():
    manifest = json.loads(MANIFEST_PATH.read_text(encoding="utf-8"))
    (exposure,) = [
        e for e in manifest["exposures"].values() if e["name"] == sources.REPORT_EXPOSURE
    ]
    depends_on = {
        (manifest["nodes"].get(node) or manifest["sources"][node])["name"]
        for node in exposure["depends_on"]["nodes"]
    }
    assert set(sources.MARTS_READ) == depends_on
    assert len(sources.MARTS_READ) == len(depends_on)
    assert {"mart_cluster_profiles", "mart_revenue_forecast", "mart_model_backtests",
            "mart_risk_backtest"} <= depends_on  # fmt: skip
    report_marts = {path.stem for path in (MARTS_MODELS / "report").glob("*.sql")} - {
        "mart_report_account_state",
        "mart_report_account_state_history",
    }
    assert report_marts <= depends_on, "a report mart the exposure does not list"
