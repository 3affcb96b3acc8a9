"""The render helpers of the analytics marts (ka_pipeline/report/analytics_charts.py) draw
from the marts alone, in both languages, and do no arithmetic on mart values."""

from __future__ import annotations

import ast
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from ka_pipeline.report import analytics_charts

MODULE = Path(analytics_charts.__file__)


@pytest.fixture
def marts(tmp_path) -> duckdb.DuckDBPyConnection:
    conn = duckdb.connect(str(tmp_path / "w.duckdb"))
    conn.execute("create schema marts")
    profiles = pd.DataFrame({
        "cluster_id": [1, 2], "cluster_name_zh": ["高价值", "久未购买"],
        "cluster_name_en": ["high-value", "lapsed"], "account_count": [3, 2], "sort_order": [1, 2],
    })  # fmt: skip
    centroids = pd.DataFrame({
        "cluster_id": [1, 1, 2, 2], "feature_sort_order": [1, 2, 1, 2],
        "feature_label_zh": ["最近购买天数", "收入"] * 2,
        "feature_label_en": ["recency (days)", "revenue"] * 2, "z_score": [-0.8, 1.2, 1.1, -0.9],
    })  # fmt: skip
    accounts = pd.DataFrame({
        "account_id": list("abcde"), "cluster_id": [1, 1, 1, 2, 2],
        "pca_x": [1.0, 1.2, 0.8, -1.0, -1.3], "pca_y": [0.1, -0.2, 0.3, 0.5, 0.4],
    })  # fmt: skip
    months = [date(2024, m, 1) for m in range(1, 7)]
    forecast = pd.DataFrame({
        "region_code": "east", "region_name_zh": "华东", "region_name_en": "East",
        "region_sort_order": 3, "month_start": months,
        "row_type": ["actual"] * 4 + ["forecast"] * 2,
        "revenue_cny": [10.0, 12, 11, 13, 12.5, 12.5], "lower_cny": [10.0, 12, 11, 13, 9, 8],
        "upper_cny": [10.0, 12, 11, 13, 16, 17],
    })  # fmt: skip
    backtests = pd.DataFrame({
        "model_name": ["revenue_forecast_region"], "metric_name": ["mae_cny"],
        "baseline_name": ["naive_last_month"], "model_value": [1.0], "baseline_value": [2.0],
        "relative_improvement": [0.5], "model_beats_baseline": [True], "n_observations": [6],
        "cutoff_date": [date(2024, 3, 1)], "note": [""],
    })  # fmt: skip
    for name, frame in (("mart_cluster_profiles", profiles), ("mart_cluster_centroids", centroids),
                        ("mart_account_clusters", accounts), ("mart_revenue_forecast", forecast),
                        ("mart_model_backtests", backtests)):  # fmt: skip
        conn.register("frame", frame)
        conn.execute(f"create table marts.{name} as select * from frame")
        conn.unregister("frame")
    yield conn
    conn.close()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_chart_renders_from_the_marts(marts, tmp_path, lang):
    paths = analytics_charts.render_analytics_charts(marts, lang, tmp_path / "charts")
    assert [p.name for p in paths] == [
        f"analytics_cluster_profiles_{lang}.png",
        f"analytics_cluster_projection_{lang}.png",
        f"analytics_revenue_forecast_{lang}.png",
    ]
    assert all(p.stat().st_size > 5000 for p in paths)
    assert len(analytics_charts.backtest_table(marts)) == 1


def test_no_arithmetic_on_mart_values():
    """Only positions on the page are computed: no +, -, *, / on frames or columns."""
    tree = ast.parse(MODULE.read_text(encoding="utf-8"))
    suspicious = [
        ast.unparse(node)
        for node in ast.walk(tree)
        if isinstance(node, ast.BinOp)
        and isinstance(node.op, ast.Add | ast.Sub | ast.Mult | ast.Div)
        and any(isinstance(side, ast.Subscript) for side in (node.left, node.right))
    ]
    assert suspicious == []
