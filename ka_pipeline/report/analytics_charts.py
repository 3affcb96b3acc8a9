"""Charts of the analytics stage's marts in the weekly report (zh / en).

The clusters' profile heat map and 2-D projection, and the revenue forecast with its
prediction interval. Like `charts`, each function takes the report's marts (read once by
`data.load_marts`, selected and sorted by `data`) and a language, and draws mart values as
they are: nothing is computed here but positions on the page. A chart whose mart is empty
(the stage has not run, or found nothing) is not drawn; the report says so instead.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import numpy as np
from matplotlib import rc_context
from matplotlib.figure import Figure

from ka_pipeline.report import data as d
from ka_pipeline.report.charts import DPI, SIZE, Chart, style
from ka_pipeline.report.fonts import register_cjk_font
from ka_pipeline.report.i18n import Lang

PALETTE = ("#1F4E79", "#ED7D31", "#2E75B6", "#C00000", "#70AD47", "#7F6000", "#9DC3E6",
           "#A5A5A5", "#5B9BD5", "#FFC000")  # fmt: skip
MONTHS_OF_HISTORY = 18


def cluster_profile_chart(marts: d.Marts, lang: Lang) -> Figure | None:
    """Heat map: clusters (rows, with size) x features (columns), coloured by z-score."""
    profiles = d.cluster_profiles(marts)
    if profiles.empty or marts["mart_cluster_centroids"].empty:
        return None
    grid = d.cluster_centroids(marts)
    features = d.cluster_features(marts)
    fig = Figure(figsize=SIZE, dpi=DPI, layout="constrained")
    ax = fig.subplots()
    values = grid.to_numpy(dtype=float)
    image = ax.imshow(values, cmap="RdBu_r", vmin=-2.5, vmax=2.5, aspect="auto")
    ax.set_xticks(range(len(features)))
    ax.set_xticklabels([lang.pick(row, "feature_label") for _, row in features.iterrows()],
                       rotation=30, ha="right")  # fmt: skip
    ax.set_yticks(range(len(profiles)))
    ax.set_yticklabels(
        [
            lang.t(
                "ch_cluster_label",
                id=row["cluster_id"],
                name=lang.pick(row, "cluster_name"),
                n=lang.count(row["account_count"]),
            )
            for _, row in profiles.iterrows()
        ]
    )
    for (row, col), value in np.ndenumerate(values):
        if not np.isnan(value):
            ax.text(col, row, f"{value:+.1f}", ha="center", va="center", fontsize=7.5)
    fig.colorbar(image, ax=ax, label=lang.t("ch_cluster_z"), shrink=0.8)
    ax.set_title(lang.t("ch_cluster_profiles"))
    ax.grid(False)
    return fig


def cluster_projection_chart(marts: d.Marts, lang: Lang) -> Figure | None:
    """Scatter of the accounts on the first two principal components, one colour a cluster."""
    profiles = d.cluster_profiles(marts)
    points = d.cluster_points(marts)
    if profiles.empty or points.empty:
        return None
    fig = Figure(figsize=SIZE, dpi=DPI, layout="constrained")
    ax = fig.subplots()
    for index, (_, cluster) in enumerate(profiles.iterrows()):
        group = points[points["cluster_id"] == cluster["cluster_id"]]
        label = f"{cluster['cluster_id']} · {lang.pick(cluster, 'cluster_name')}"
        colour = PALETTE[index % len(PALETTE)]
        ax.scatter(group["pca_x"], group["pca_y"], s=14, alpha=0.75, color=colour, label=label)
    ax.set_xlabel("PC1")
    ax.set_ylabel("PC2")
    ax.grid(axis="x", visible=True)
    ax.legend(loc="best", fontsize=8)
    ax.set_title(lang.t("ch_cluster_projection"))
    return fig


def revenue_forecast_chart(marts: d.Marts, lang: Lang) -> Figure | None:
    """One small panel per region: the last months of revenue, the forecast and its band."""
    rows = d.revenue_forecast(marts)
    if rows.empty:
        return None
    regions = rows.drop_duplicates("region_code")
    columns = 4
    count = len(regions)
    lines = (count + columns - 1) // columns
    fig = Figure(figsize=(11.0, max(2.6 * lines, 4.0)), dpi=DPI, layout="constrained")
    axes = fig.subplots(lines, columns, squeeze=False).ravel()
    for ax, (_, region) in zip(axes, regions.iterrows(), strict=False):
        series = rows[rows["region_code"] == region["region_code"]]
        actual = series[series["row_type"] == "actual"].tail(MONTHS_OF_HISTORY)
        ahead = series[series["row_type"] == "forecast"]
        ax.plot(actual["month_start"], actual["revenue_cny"], color=PALETTE[0], lw=1.4,
                label=lang.t("ch_forecast_actual"))  # fmt: skip
        ax.fill_between(ahead["month_start"], ahead["lower_cny"], ahead["upper_cny"],
                        color=PALETTE[1], alpha=0.25, lw=0,
                        label=lang.t("ch_forecast_interval"))  # fmt: skip
        ax.plot(ahead["month_start"], ahead["revenue_cny"], color=PALETTE[1], lw=1.4,
                marker="o", ms=3, label=lang.t("ch_forecast_point"))  # fmt: skip
        ax.set_title(lang.pick(region, "region_name"), fontsize=9)
        ax.yaxis.set_major_formatter(lambda value, _: lang.money_axis(value))
        ax.tick_params(axis="x", labelrotation=45, labelsize=7)
        ax.tick_params(axis="y", labelsize=7)
    for ax in axes[count:]:
        ax.set_visible(False)
    axes[0].legend(loc="upper left", fontsize=7)
    fig.suptitle(lang.t("ch_revenue_forecast", unit=lang.money_unit), x=0.01, ha="left")
    return fig


# name -> (title key, function)
ANALYTICS_CHARTS: dict[str, tuple[str, Callable[[d.Marts, Lang], Figure | None]]] = {
    "cluster_profiles": ("ch_cluster_profiles", cluster_profile_chart),
    "cluster_projection": ("ch_cluster_projection", cluster_projection_chart),
    "revenue_forecast": ("ch_revenue_forecast", revenue_forecast_chart),
}


def render_analytics_charts(marts: d.Marts, lang: Lang, folder: Path) -> list[Chart]:
    """Draw every chart of ANALYTICS_CHARTS whose marts have rows into `folder` as
    `<name>.png` (in the report's style)."""
    folder.mkdir(parents=True, exist_ok=True)
    charts = []
    with rc_context(style(register_cjk_font())):
        for name, (title_key, draw) in ANALYTICS_CHARTS.items():
            fig = draw(marts, lang)
            if fig is None:
                continue
            path = folder / f"{name}.png"
            fig.savefig(path, dpi=DPI)
            width, height = (round(v) for v in fig.get_size_inches() * DPI)
            title = lang.t(title_key, unit=lang.money_unit)
            charts.append(Chart(name, title, path, width, height))
    return charts
