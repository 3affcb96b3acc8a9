"""The analytics stage's charts and tables in the report (ka_pipeline/report/analytics_charts.py
and the sections of report/html.py) draw from the report's marts alone, in both languages,
do no arithmetic on mart values, and say "not available" when the stage's tables are empty."""

from __future__ import annotations

import ast
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from ka_pipeline.report import analytics_charts, html
from ka_pipeline.report.i18n import Lang

MODULE = Path(analytics_charts.__file__)


def analytics_marts() -> dict[str, pd.DataFrame]:
    """The analytics marts as `data.load_marts` reads them (name -> frame)."""
    profiles = pd.DataFrame({
        "cluster_id": [1, 2], "cluster_name_zh": ["高价值", "久未购买"],
        "cluster_name_en": ["high-value", "lapsed"], "account_count": [3, 2],
        "account_share": [0.6, 0.4], "distinguishing_features": ["revenue +1.2", "recency +1.1"],
        "chosen_k": [2, 2], "silhouette": [0.41, 0.41], "sort_order": [1, 2],
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
        "upper_cny": [10.0, 12, 11, 13, 16, 17], "interval_level": 0.8, "method": "ETS(A,N,N)",
    })  # fmt: skip
    backtests = pd.DataFrame({
        "model_name": ["revenue_forecast_region"], "metric_name": ["mae_cny"],
        "baseline_name": ["naive_last_month"], "model_value": [1.0], "baseline_value": [2.0],
        "relative_improvement": [0.5], "model_beats_baseline": [True], "n_observations": [6],
        "cutoff_date": [date(2024, 3, 1)], "note": [""],
    })  # fmt: skip
    risk = pd.DataFrame({
        "scope": ["snapshot", "snapshot", "overall"], "snapshot_date": [date(2024, 8, 31)] * 2
        + [None], "snapshot_index": [4, 4, None], "horizon_days": [90, 90, 90],
        "group_type": "level", "group_code": ["high", "high_or_medium", "high"],
        "group_sort_order": [2, 5, 2], "flagged_account_count": [20, 50, 200],
        "flagged_share": [0.05, 0.12, 0.06], "churn_rate_flagged": [0.5, 0.3, 0.55],
        "base_churn_rate": [0.15, 0.15, 0.17], "churn_rate_reference": [0.1, 0.1, 0.11],
        "recall": [0.3, 0.5, 0.3], "lift_vs_base": [3.3, 2.0, 3.2],
        "lift_vs_reference": [5.0, 3.0, 5.0], "auc_risk_score": [0.75, 0.75, 0.76],
        "auc_days_since_last_order": [0.74, 0.74, 0.75],
    })  # fmt: skip
    return {
        "mart_cluster_profiles": profiles, "mart_cluster_centroids": centroids,
        "mart_account_clusters": accounts, "mart_revenue_forecast": forecast,
        "mart_model_backtests": backtests, "mart_risk_backtest": risk,
    }  # fmt: skip


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_chart_renders_from_the_marts(tmp_path, lang):
    charts = analytics_charts.render_analytics_charts(
        analytics_marts(), Lang(lang), tmp_path / "charts"
    )
    assert [c.name for c in charts] == list(analytics_charts.ANALYTICS_CHARTS)
    assert [c.path.name for c in charts] == [
        "cluster_profiles.png",
        "cluster_projection.png",
        "revenue_forecast.png",
    ]
    assert all(c.path.stat().st_size > 5000 for c in charts)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_sections_print_the_mart_values(lang):
    marts, t = analytics_marts(), Lang(lang)
    clusters = html.clusters_section(marts, t, lambda name: "")
    assert t.pick(marts["mart_cluster_profiles"].iloc[1], "cluster_name") in clusters
    assert "60.0%" in clusters
    forecast = html.forecast_section(marts, t, lambda name: "")
    assert 'data-rows="2"' in forecast and ">17<" in forecast and ">8<" in forecast
    risk = html.risk_backtest_table(marts, t)
    assert 'data-rows="3"' in risk and "50.0%" in risk and "15.0%" in risk
    assert t.t("snapshot_pooled") in risk and "2024-08-31" in risk
    models = html.model_backtest_table(marts, t)
    assert "naive_last_month" in models and "+50.0%" in models
    # the metric's unit is printed with its name: CNY for the revenue error
    assert t.metric("mae_cny") in models and ("元" if lang == "zh" else "(CNY)") in models
    assert "ETS(A,N,N)" in forecast  # the method of each region


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_empty_analytics_tables_give_a_note_not_a_crash(tmp_path, lang):
    marts = {name: frame.iloc[0:0] for name, frame in analytics_marts().items()}
    t = Lang(lang)
    assert analytics_charts.render_analytics_charts(marts, t, tmp_path) == []
    for section in (
        html.clusters_section(marts, t, lambda name: ""),
        html.forecast_section(marts, t, lambda name: ""),
        html.risk_backtest_table(marts, t),
        html.model_backtest_table(marts, t),
    ):
        assert "data-not-available=" in section
    assert html.risk_backtest_headline(marts, t) == ""


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
