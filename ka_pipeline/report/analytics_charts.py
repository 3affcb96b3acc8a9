"""Charts of the analytics stage's marts, for the weekly report (zh / en).

Not yet wired into the report: `report/` is being reorganised, and the report's table list
comes from the dbt exposure `weekly_key_account_report`, to which the `analytics` source
tables are to be added when these charts are. Each function reads only the stage's marts
(`marts.mart_cluster_centroids`, `mart_cluster_profiles`, `mart_account_clusters`,
`mart_revenue_forecast`, `mart_model_backtests`) and draws them as they are: every number
is in the marts, nothing is computed here but positions on the page.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import duckdb
import matplotlib

matplotlib.use("Agg")

import pandas as pd
from matplotlib import rc_context
from matplotlib.figure import Figure

from ka_pipeline.report.fonts import register_cjk_font

Language = Literal["zh", "en"]
SIZE = (10.0, 4.6)
DPI = 110
PALETTE = ("#1F4E79", "#ED7D31", "#2E75B6", "#C00000", "#70AD47", "#7F6000", "#9DC3E6",
           "#A5A5A5", "#5B9BD5", "#FFC000")  # fmt: skip
TITLES = {
    "profiles": ("客户聚类画像（各特征的标准分）",
                 "Account clusters: profile (z-score of each feature)"),
    "projection": ("客户聚类二维投影（主成分）",
                   "Account clusters: 2-D projection (principal components)"),
    "forecast": ("各区域月度收入预测（含预测区间）",
                 "Monthly revenue forecast by region (with prediction interval)"),
}  # fmt: skip


def chart_style():
    """The charts' matplotlib style with the CJK font: draw *and save* inside it (matplotlib
    resolves fonts when it draws), or use `render_analytics_charts`."""
    return rc_context(_style())


def render_analytics_charts(
    conn: duckdb.DuckDBPyConnection, lang: Language, folder: Path
) -> list[Path]:
    """Draw the three charts as PNG files in `folder`; return their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    with chart_style():
        for name, draw in (
            ("analytics_cluster_profiles", cluster_profile_chart),
            ("analytics_cluster_projection", cluster_projection_chart),
            ("analytics_revenue_forecast", revenue_forecast_chart),
        ):
            path = folder / f"{name}_{lang}.png"
            draw(conn, lang).savefig(path, dpi=DPI)
            paths.append(path)
    return paths


def _style() -> dict:
    return {
        "font.family": "sans-serif",
        "font.sans-serif": [register_cjk_font(), "DejaVu Sans"],
        "axes.unicode_minus": False,
        "font.size": 9,
        "axes.titlelocation": "left",
        "axes.spines.top": False,
        "axes.spines.right": False,
    }


def _read(conn: duckdb.DuckDBPyConnection, sql: str) -> pd.DataFrame:
    return conn.execute(sql).df()


def cluster_profile_chart(conn: duckdb.DuckDBPyConnection, lang: Language) -> Figure:
    """Heat map: clusters (rows, with size) x features (columns), coloured by z-score."""
    zh = lang == "zh"
    cells = _read(
        conn,
        "select c.cluster_id, c.feature_sort_order, c.feature_label_zh, c.feature_label_en, "
        "c.z_score, p.cluster_name_zh, p.cluster_name_en, p.account_count "
        "from marts.mart_cluster_centroids c join marts.mart_cluster_profiles p "
        "using (cluster_id) order by p.sort_order, c.feature_sort_order",
    )
    grid = cells.pivot(index="cluster_id", columns="feature_sort_order", values="z_score")
    features = cells.drop_duplicates("feature_sort_order").sort_values("feature_sort_order")
    clusters = cells.drop_duplicates("cluster_id")
    with rc_context(_style()):
        fig = Figure(figsize=SIZE, dpi=DPI, layout="constrained")
        ax = fig.subplots()
        image = ax.imshow(grid.to_numpy(), cmap="RdBu_r", vmin=-2.5, vmax=2.5, aspect="auto")
        ax.set_xticks(range(len(features)))
        ax.set_xticklabels(features["feature_label_zh" if zh else "feature_label_en"],
                           rotation=30, ha="right")  # fmt: skip
        ax.set_yticks(range(len(clusters)))
        ax.set_yticklabels(
            f"{cid} · {name} (n={count})"
            for cid, name, count in zip(
                clusters["cluster_id"],
                clusters["cluster_name_zh" if zh else "cluster_name_en"],
                clusters["account_count"],
                strict=True,
            )
        )
        for (row, col), value in pd.DataFrame(grid.to_numpy()).stack().items():
            ax.text(col, row, f"{value:+.1f}", ha="center", va="center", fontsize=7.5)
        fig.colorbar(image, ax=ax, label="z", shrink=0.8)
        ax.set_title(TITLES["profiles"][0 if zh else 1])
        ax.grid(False)
    return fig


def cluster_projection_chart(conn: duckdb.DuckDBPyConnection, lang: Language) -> Figure:
    """Scatter of the accounts on the first two principal components, one colour a cluster."""
    zh = lang == "zh"
    points = _read(
        conn,
        "select a.cluster_id, a.pca_x, a.pca_y, p.cluster_name_zh, p.cluster_name_en "
        "from marts.mart_account_clusters a join marts.mart_cluster_profiles p "
        "using (cluster_id) order by p.sort_order, a.account_id",
    )
    with rc_context(_style()):
        fig = Figure(figsize=SIZE, dpi=DPI, layout="constrained")
        ax = fig.subplots()
        for index, cluster_id in enumerate(points["cluster_id"].unique()):
            group = points[points["cluster_id"] == cluster_id]
            name = group["cluster_name_zh" if zh else "cluster_name_en"].iloc[0]
            colour = PALETTE[index % len(PALETTE)]
            ax.scatter(group["pca_x"], group["pca_y"], s=14, alpha=0.75, color=colour,
                       label=f"{cluster_id} · {name}")  # fmt: skip
        ax.set_xlabel("PC1")
        ax.set_ylabel("PC2")
        ax.legend(loc="best", fontsize=8, frameon=False)
        ax.set_title(TITLES["projection"][0 if zh else 1])
    return fig


def revenue_forecast_chart(
    conn: duckdb.DuckDBPyConnection, lang: Language, months_of_history: int = 18
) -> Figure:
    """One small panel per region: the last months of revenue, the forecast and its band."""
    zh = lang == "zh"
    rows = _read(
        conn,
        "select region_code, region_name_zh, region_name_en, region_sort_order, month_start, "
        "row_type, revenue_cny, lower_cny, upper_cny from marts.mart_revenue_forecast "
        "order by region_sort_order, region_code, month_start",
    )
    regions = rows.drop_duplicates("region_code")
    columns = 4
    count = max(len(regions), 1)
    with rc_context(_style()):
        fig = Figure(figsize=(11.0, 2.3 * ((count + columns - 1) // columns)), dpi=DPI,
                     layout="constrained")  # fmt: skip
        axes = fig.subplots((count + columns - 1) // columns, columns, squeeze=False).ravel()
        for ax, (_, region) in zip(axes, regions.iterrows(), strict=False):
            series = rows[rows["region_code"] == region["region_code"]]
            actual = series[series["row_type"] == "actual"].tail(months_of_history)
            ahead = series[series["row_type"] == "forecast"]
            ax.plot(actual["month_start"], actual["revenue_cny"], color=PALETTE[0], lw=1.4)
            ax.fill_between(ahead["month_start"], ahead["lower_cny"], ahead["upper_cny"],
                            color=PALETTE[1], alpha=0.25, lw=0)  # fmt: skip
            ax.plot(ahead["month_start"], ahead["revenue_cny"], color=PALETTE[1], lw=1.4,
                    marker="o", ms=3)  # fmt: skip
            ax.set_title(region["region_name_zh" if zh else "region_name_en"], fontsize=9)
            ax.tick_params(axis="x", labelrotation=45, labelsize=7)
            ax.tick_params(axis="y", labelsize=7)
        for ax in axes[count:]:
            ax.set_visible(False)
        fig.suptitle(TITLES["forecast"][0 if zh else 1], x=0.01, ha="left", fontsize=11)
    return fig


def backtest_table(conn: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The backtest rows as the report shows them (sorted; values as stored)."""
    return _read(
        conn,
        "select model_name, metric_name, baseline_name, model_value, baseline_value, "
        "relative_improvement, model_beats_baseline, n_observations, cutoff_date, note "
        "from marts.mart_model_backtests order by model_name, metric_name, baseline_name",
    )
