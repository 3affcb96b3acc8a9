"""The report's charts: matplotlib (Agg, object API), one consistent style, PNG files.

Each chart function takes the marts (rows selected and sorted by `data`) and a language
and returns a `Figure`: it draws mart values and computes none (bar labels and shares are
mart columns too);
`render_charts` draws them all into a folder. matplotlib is imported here only, and this
module is imported lazily by the report builder, so loading the Dagster definitions never
pays for it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
from matplotlib import rc_context
from matplotlib.figure import Figure
from matplotlib.patches import Patch, Rectangle
from matplotlib.ticker import FuncFormatter, MaxNLocator, PercentFormatter

from ka_pipeline.report import data as d
from ka_pipeline.report.changes import Changes
from ka_pipeline.report.fonts import register_cjk_font
from ka_pipeline.report.i18n import Lang

DPI = 110
SIZE = (10.0, 4.6)  # inches: 1100 x 506 px at DPI

PRIMARY = "#1F4E79"
SECONDARY = "#9DC3E6"
MID = "#2E75B6"
ACCENT = "#ED7D31"
GREY = "#BFBFBF"
RED = "#C00000"
TIER_COLOURS = {"vip": PRIMARY, "key": MID, "potential": SECONDARY, "general": "#D9D9D9"}
GROUP_COLOURS = {
    "high_value": PRIMARY,
    "potential": ACCENT,
    "general": SECONDARY,
    "churn_risk": RED,
}


def style(font_family: str) -> dict:
    return {
        "font.family": "sans-serif",
        "font.sans-serif": [font_family, "DejaVu Sans"],
        "axes.unicode_minus": False,
        "font.size": 9.5,
        "axes.titlesize": 11,
        "axes.titleweight": "normal",  # the bundled CJK font has one weight
        "axes.titlelocation": "left",
        "axes.labelsize": 9.5,
        "axes.labelcolor": "#404040",
        "axes.edgecolor": "#8C8C8C",
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.grid": True,
        "axes.grid.axis": "y",
        "grid.color": "#E6E6E6",
        "grid.linewidth": 0.8,
        "axes.axisbelow": True,
        "xtick.color": "#404040",
        "ytick.color": "#404040",
        "legend.frameon": False,
        "legend.fontsize": 9,
        "figure.facecolor": "white",
        "savefig.facecolor": "white",
        "figure.titlesize": 13,
        "figure.titleweight": "normal",
    }


@dataclass(frozen=True)
class Chart:
    name: str
    title: str
    path: Path
    width: int
    height: int


def _figure(ncols: int = 1, width_ratios: list[float] | None = None):
    fig = Figure(figsize=SIZE, dpi=DPI, layout="constrained")
    axes = fig.subplots(1, ncols, width_ratios=width_ratios) if ncols > 1 else fig.subplots()
    return fig, axes


def _money_axis(ax, lang: Lang, axis: str = "y") -> None:
    formatter = FuncFormatter(lambda value, _: lang.money_axis(value))
    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(formatter)


def _bar_labels(ax, bars, labels: list[str], **kwargs) -> None:
    ax.bar_label(bars, labels=labels, padding=2, fontsize=8.5, color="#404040", **kwargs)


def _month_ticks(ax, months: pd.Series, lang: Lang) -> None:
    """Month labels on the x axis; every other month when there are more than 12."""
    step = 1 if len(months) <= 12 else 2
    positions = np.arange(len(months))
    labels = [
        lang.short_month(m) if i % step == (len(months) - 1) % step else ""
        for i, m in enumerate(months)
    ]
    ax.set_xticks(positions, labels)
    ax.tick_params(axis="x", labelsize=8)


def _horizontal(ax) -> None:
    ax.grid(axis="y", visible=False)
    ax.grid(axis="x", visible=True)


# ---- the charts -------------------------------------------------------------------------


def revenue_trend(marts: d.Marts, lang: Lang) -> Figure:
    months = d.monthly_totals(marts).tail(24)
    fig, ax = _figure()
    x = np.arange(len(months))
    complete = months["is_complete_month"].to_numpy(dtype=bool)
    colours = [PRIMARY if c else SECONDARY for c in complete]
    bars = ax.bar(
        x, months["revenue_cny"], width=0.62, color=colours, label=lang.t("ch_revenue_this_year")
    )
    for bar, is_complete in zip(bars, complete, strict=True):
        if not is_complete:
            bar.set_hatch("///")
            bar.set_edgecolor(PRIMARY)
    prev_year = months["revenue_prev_year_cny"]
    if prev_year.notna().any():
        ax.plot(
            x,
            prev_year,
            color=ACCENT,
            marker="o",
            markersize=4,
            linewidth=1.8,
            label=lang.t("ch_revenue_prev_year"),
        )
    labels = [
        "" if pd.isna(yoy) else lang.pct(yoy, 0, signed=True) for yoy in months["revenue_yoy_pct"]
    ]
    _bar_labels(ax, bars, labels)
    _month_ticks(ax, months["month_start"], lang)
    _money_axis(ax, lang)
    ax.set_ylabel(lang.money_unit)
    ax.set_title(lang.t("ch_revenue_trend"))
    handles, names = ax.get_legend_handles_labels()
    if not complete.all():
        handles.append(Patch(facecolor=SECONDARY, edgecolor=PRIMARY, hatch="///"))
        names.append(lang.t("ch_incomplete", as_of=marts.as_of_date))
    ax.legend(handles, names, loc="upper left", ncols=3)
    ax.margins(y=0.18)
    return fig


def key_accounts_by_region(marts: d.Marts, lang: Lang) -> Figure:
    summary = d.region_summary(marts).iloc[::-1]
    names = [lang.pick(row, "region_name") for _, row in summary.iterrows()]
    fig, (left, right) = _figure(2, [1, 1.5])
    y = np.arange(len(summary))
    bars = left.barh(y, summary["key_account_count"], color=PRIMARY, height=0.6)
    left.bar_label(bars, padding=2, fontsize=8.5)
    left.set_yticks(y, names)
    left.set_title(lang.t("ch_region_count"))
    left.xaxis.set_major_locator(MaxNLocator(integer=True))
    _horizontal(left)
    key = right.barh(
        y, summary["key_revenue_cny"], color=PRIMARY, height=0.6, label=lang.t("ch_key")
    )
    right.barh(
        y,
        summary["other_revenue_cny"],
        left=summary["key_revenue_cny"],
        color=SECONDARY,
        height=0.6,
        label=lang.t("ch_other"),
    )
    shares = [
        "" if pd.isna(share) else lang.pct(share, 0) for share in summary["key_revenue_share"]
    ]
    right.bar_label(key, labels=shares, label_type="center", color="white", fontsize=8)
    right.set_yticks(y, names)
    _money_axis(right, lang, "x")
    right.set_xlabel(lang.money_unit)
    right.set_title(lang.t("ch_region_revenue"))
    right.legend(loc="lower right")
    _horizontal(right)
    fig.suptitle(lang.t("ch_region"), x=0.01, ha="left")
    return fig


def key_account_share(marts: d.Marts, lang: Lang) -> Figure:
    kpis = d.headline(marts)
    months = d.monthly_totals(marts).tail(24)
    fig, (left, right) = _figure(2, [1, 1.6])
    groups = [lang.t("ch_revenue"), lang.t("ch_gross_profit")]
    key = [kpis["key_account_revenue_cny"], kpis["key_account_margin_cny"]]
    other = [kpis["other_account_revenue_cny"], kpis["other_account_margin_cny"]]
    key_shares = [kpis["key_account_revenue_share"], kpis["key_account_margin_share"]]
    other_shares = [kpis["other_account_revenue_share"], kpis["other_account_margin_share"]]
    x = np.arange(2)
    bars_key = left.bar(x - 0.19, key, width=0.38, color=PRIMARY, label=lang.t("ch_key"))
    bars_other = left.bar(x + 0.19, other, width=0.38, color=SECONDARY, label=lang.t("ch_other"))
    _bar_labels(left, bars_key, ["" if s is None else lang.pct(s, 0) for s in key_shares])
    _bar_labels(left, bars_other, ["" if s is None else lang.pct(s, 0) for s in other_shares])
    left.set_xticks(x, groups)
    _money_axis(left, lang)
    left.set_ylabel(lang.money_unit)
    left.set_title(lang.t("window", months=marts.window_months))
    left.legend(loc="upper right")
    left.margins(y=0.15)

    share = months["key_account_revenue_share"].astype(float)
    xs = np.arange(len(months))
    right.plot(xs, share, color=PRIMARY, marker="o", markersize=4, linewidth=1.8)
    right.fill_between(xs, share, color=SECONDARY, alpha=0.35)
    if not months["is_complete_month"].all():
        right.plot(
            xs[-1],
            share.iloc[-1],
            marker="o",
            markersize=7,
            markerfacecolor="white",
            markeredgecolor=PRIMARY,
        )
    _month_ticks(right, months["month_start"], lang)
    right.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    right.set_ylim(0, 1)
    right.set_title(lang.t("ch_key_share_monthly"))
    fig.suptitle(lang.t("ch_key_share"), x=0.01, ha="left")
    return fig


def tiers_and_abc(marts: d.Marts, lang: Lang) -> Figure:
    tiers = d.tier_summary(marts)
    abc = d.abc_summary(marts)
    fig, (left, right) = _figure(2)
    names = [lang.pick(row, "value_tier_name") for _, row in tiers.iterrows()]
    bars = left.bar(
        names,
        tiers["account_count"],
        color=[TIER_COLOURS.get(c, GREY) for c in tiers.index],
        width=0.6,
    )
    _bar_labels(
        left,
        bars,
        [
            f"{n} · {lang.pct(s, 0)}"
            for n, s in zip(tiers["account_count"], tiers["revenue_share"], strict=True)
        ],
    )
    left.set_ylabel(lang.t("ch_accounts"))
    left.set_title(lang.t("ch_tiers"))
    left.margins(y=0.15)
    left.yaxis.set_major_locator(MaxNLocator(integer=True))
    bars = right.bar(
        list(abc.index),
        abc["account_count"],
        color=[PRIMARY, MID, SECONDARY][: len(abc)],
        width=0.6,
    )
    _bar_labels(
        right,
        bars,
        [
            f"{n} · {lang.pct(s, 0)}"
            for n, s in zip(abc["account_count"], abc["revenue_share"], strict=True)
        ],
    )
    right.set_ylabel(lang.t("ch_accounts"))
    right.set_title("ABC")
    right.margins(y=0.15)
    right.yaxis.set_major_locator(MaxNLocator(integer=True))
    fig.suptitle(lang.t("ch_tier_abc") + lang.t("ch_tier_abc_labels"), x=0.01, ha="left")
    return fig


def rfm_map(marts: d.Marts, lang: Lang) -> Figure:
    revenue, count = d.rfm_grid(marts)
    segments = d.segment_summary(marts)
    fig, (left, right) = _figure(2, [1.1, 1])
    image = left.imshow(
        revenue.to_numpy(dtype=float) / lang.money_divisor, cmap="Blues", aspect="auto"
    )
    left.grid(False)
    left.set_xticks(range(5), revenue.columns)
    left.set_yticks(range(5), revenue.index)
    left.set_xlabel(lang.t("ch_f_score"))
    left.set_ylabel(lang.t("ch_r_score"))
    peak = revenue.to_numpy(dtype=float).max() or 1
    for i in range(5):
        for j in range(5):
            n = count.iat[i, j]
            if n:
                dark = revenue.iat[i, j] > 0.55 * peak
                left.text(
                    j,
                    i,
                    str(n),
                    ha="center",
                    va="center",
                    fontsize=9,
                    color="white" if dark else "#1F1F1F",
                )
    bar = fig.colorbar(image, ax=left, shrink=0.85, pad=0.02)
    bar.set_label(lang.money_unit)
    left.set_title(lang.t("ch_rfm_heat"), fontsize=10)
    y = np.arange(len(segments))
    bars = right.barh(
        y,
        segments["account_count"],
        color=[GROUP_COLOURS.get(g, GREY) for g in segments["value_group_code"]],
        height=0.65,
    )
    right.bar_label(bars, padding=2, fontsize=8.5)
    right.set_yticks(y, [lang.pick(row, "segment_name") for _, row in segments.iterrows()])
    groups = d.value_groups(marts)
    right.legend(
        [Patch(color=GROUP_COLOURS.get(code, GREY)) for code in groups],
        [names[0 if lang.zh else 1] for names in groups.values()],
        loc="lower right",
    )
    right.set_title(lang.t("ch_segments"), fontsize=10)
    right.xaxis.set_major_locator(MaxNLocator(integer=True))
    _horizontal(right)
    fig.suptitle(lang.t("ch_rfm"), x=0.01, ha="left")
    return fig


def _top_chart(marts: d.Marts, lang: Lang, metric: str, n: int) -> Figure:
    top = d.top_accounts(marts, metric).head(n).iloc[::-1]
    fig, ax = _figure()
    y = np.arange(len(top))
    bars = ax.barh(
        y,
        top["metric_value_cny"],
        color=[TIER_COLOURS.get(t, GREY) for t in top["value_tier_code"]],
        height=0.65,
    )
    ax.bar_label(
        bars,
        labels=[
            f"{lang.money(v)} · {lang.pct(s)}"
            for v, s in zip(top["metric_value_cny"], top["metric_share_of_total"], strict=True)
        ],
        padding=3,
        fontsize=8.5,
    )
    ax.set_yticks(y, top["account_name"])
    _money_axis(ax, lang, "x")
    ax.set_xlabel(lang.money_unit)
    ax.margins(x=0.22)
    _horizontal(ax)
    tiers = d.tier_names(marts)
    present = [c for c in d.tier_summary(marts).index if c in set(top["value_tier_code"])]
    ax.legend(
        [Patch(color=TIER_COLOURS.get(c, GREY)) for c in present],
        [tiers.get(c, (c, c))[0 if lang.zh else 1] for c in present],
        loc="lower right",
    )
    key = "ch_top_revenue" if metric == "revenue" else "ch_top_profit"
    ax.set_title(lang.t(key, n=len(top)) + " · " + lang.t("window", months=marts.window_months))
    return fig


def top_by_revenue(marts: d.Marts, lang: Lang, n: int = 10) -> Figure:
    return _top_chart(marts, lang, "revenue", n)


def top_by_profit(marts: d.Marts, lang: Lang, n: int = 10) -> Figure:
    return _top_chart(marts, lang, "gross_profit", n)


def product_shares(marts: d.Marts, lang: Lang) -> Figure:
    shares = d.category_shares(marts)
    first, last = d.last_twelve_months(marts)
    fig, ax = _figure()
    y = np.arange(len(shares))
    revenue = ax.barh(
        y + 0.2,
        shares["revenue_share"],
        height=0.38,
        color=PRIMARY,
        label=lang.t("ch_revenue_share"),
    )
    volume = ax.barh(
        y - 0.2, shares["volume_share"], height=0.38, color=ACCENT, label=lang.t("ch_volume_share")
    )
    ax.bar_label(
        revenue, labels=[lang.pct(v) for v in shares["revenue_share"]], padding=2, fontsize=8.5
    )
    ax.bar_label(
        volume, labels=[lang.pct(v) for v in shares["volume_share"]], padding=2, fontsize=8.5
    )
    ax.set_yticks(y, list(shares.index))
    ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.margins(x=0.12)
    ax.legend(loc="lower right")
    _horizontal(ax)
    ax.set_title(f"{lang.t('ch_product')} · {lang.month(first)} – {lang.month(last)}")
    return fig


def funnel_chart(marts: d.Marts, lang: Lang) -> Figure:
    stages = d.funnel(marts)
    fig, ax = _figure()
    reached = stages["opportunities_reached"].astype(float).to_numpy()
    y = np.arange(len(stages))[::-1]
    widest = reached.max() or 1
    colours = [PRIMARY, MID, "#5B9BD5", SECONDARY, "#548235"]
    colours = colours[: len(stages)] if len(stages) <= len(colours) else [PRIMARY] * len(stages)
    bars = ax.barh(y, reached, left=(widest - reached) / 2, height=0.72, color=colours)
    ax.bar_label(
        bars,
        labels=[f"{int(v):,}" for v in reached],
        label_type="center",
        fontsize=10,
        color="white",
    )
    ax.set_yticks(y, [lang.pick(row, "stage_name") for _, row in stages.iterrows()])
    ax.tick_params(axis="y", length=0, labelsize=10)
    for yi, row in zip(y, stages.itertuples(), strict=True):
        label = lang.pct(row.conversion_from_lead_rate)
        if not pd.isna(row.conversion_to_next_rate):
            label += "   " + lang.t("ch_to_next", rate=lang.pct(row.conversion_to_next_rate))
        ax.text(widest * 1.03, yi, label, ha="left", va="center", fontsize=9, color="#404040")
    ax.set_xlim(0, widest * 1.45)
    ax.set_xticks([])
    ax.grid(False)
    for side in ("left", "bottom"):
        ax.spines[side].set_visible(False)
    ax.set_title(lang.t("ch_funnel") + f" · {marts.window_start_date} – {marts.as_of_date}")
    return fig


def lifecycle_flow(marts: d.Marts, lang: Lang, changes: Changes) -> Figure:
    summary = d.lifecycle_summary(marts)
    names = d.lifecycle_names(marts)
    fig, (left, right) = _figure(2, [1, 1.1])
    labels = [lang.pick(row, "lifecycle_stage_name") for _, row in summary.iterrows()]
    palette = {
        "new": "#5B9BD5",
        "growth": "#548235",
        "stable": PRIMARY,
        "decline": ACCENT,
        "lost": RED,
    }
    bars = left.bar(
        labels,
        summary["account_count"],
        color=[palette.get(c, GREY) for c in summary.index],
        width=0.6,
    )
    left.bar_label(bars, padding=2, fontsize=8.5)
    left.set_ylabel(lang.t("ch_accounts"))
    left.set_title(lang.t("ch_lifecycle_now"), fontsize=10)
    left.yaxis.set_major_locator(MaxNLocator(integer=True))
    left.margins(y=0.12)
    right.set_title(lang.t("ch_lifecycle_flow"), fontsize=10)
    flow = changes.lifecycle_flow
    if not changes.has_previous or flow.empty:
        right.axis("off")
        right.text(
            0.5,
            0.5,
            lang.t("ch_lifecycle_no_prev"),
            ha="center",
            va="center",
            fontsize=12,
            color="#7F7F7F",
            transform=right.transAxes,
        )
    else:
        stages = flow.sort_values("lifecycle_stage_sort_order")
        order = list(stages.drop_duplicates("lifecycle_stage_code")["lifecycle_stage_code"])
        matrix = (
            flow.pivot(
                index="lifecycle_stage_code_prev",
                columns="lifecycle_stage_code",
                values="account_count",
            )
            .reindex(index=order, columns=order)
            .fillna(0)
            .astype(int)
        )
        stage = [names.get(c, (c, c))[0 if lang.zh else 1] for c in order]
        # colour the moves; the diagonal (no move) stays grey so the flow stands out
        values = matrix.to_numpy()
        moves = values.astype(float)
        np.fill_diagonal(moves, np.nan)
        peak = np.nanmax(moves) if np.nanmax(moves) > 0 else 1
        right.imshow(np.full(values.shape, 0.0), cmap="Greys", vmin=0, vmax=10, aspect="auto")
        right.imshow(
            np.where(moves > 0, moves, np.nan),
            cmap="Oranges",
            vmin=0,
            vmax=peak * 1.2,
            aspect="auto",
        )
        for k in range(len(order)):
            right.add_patch(Rectangle((k - 0.5, k - 0.5), 1, 1, color="#EDEDED"))
        right.grid(False)
        right.set_xticks(range(len(order)), stage)
        right.set_yticks(range(len(order)), stage)
        right.set_xlabel(lang.t("ch_lifecycle_to"))
        right.set_ylabel(lang.t("ch_lifecycle_from"))
        for i in range(len(order)):
            for j in range(len(order)):
                if values[i, j]:
                    right.text(
                        j,
                        i,
                        str(values[i, j]),
                        ha="center",
                        va="center",
                        fontsize=9,
                        color="#7F7F7F" if i == j else "#1F1F1F",
                    )
    fig.suptitle(lang.t("ch_lifecycle"), x=0.01, ha="left")
    return fig


def risk_by_reason(marts: d.Marts, lang: Lang) -> Figure:
    reasons = d.risk_reasons(marts)
    fig, ax = _figure()
    y = np.arange(len(reasons))
    high = ax.barh(
        y, reasons["high_risk_account_count"], color=RED, height=0.62, label=lang.t("ch_risk_high")
    )
    medium = ax.barh(
        y,
        reasons["medium_risk_account_count"],
        left=reasons["high_risk_account_count"],
        color=ACCENT,
        height=0.62,
        label=lang.t("ch_risk_medium"),
    )
    ax.bar_label(
        high,
        labels=[str(int(v)) if v else "" for v in reasons["high_risk_account_count"]],
        label_type="center",
        color="white",
        fontsize=8.5,
    )
    ax.bar_label(
        medium,
        labels=[
            lang.t("ch_risk_total", n=int(t), key=int(k))
            for t, k in zip(reasons["account_count"], reasons["key_account_count"], strict=True)
        ],
        padding=3,
        fontsize=8.5,
    )
    ax.set_yticks(y, [lang.pick(row, "signal_name") for _, row in reasons.iterrows()])
    ax.set_xlabel(lang.t("ch_risk_accounts"))
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.margins(x=0.18)
    ax.legend(loc="lower right")
    _horizontal(ax)
    kpis = d.headline(marts)
    ax.set_title(
        lang.t("ch_risk")
        + " · "
        + lang.t(
            "kpi_at_risk_sub",
            high=kpis["high_risk_count"],
            medium=kpis["medium_risk_count"],
            key=kpis["key_at_risk_count"],
        )
    )
    return fig


# name -> (title key, function)
CHARTS: dict[str, tuple[str, Callable[..., Figure]]] = {
    "revenue_trend": ("ch_revenue_trend", revenue_trend),
    "key_accounts_by_region": ("ch_region", key_accounts_by_region),
    "key_account_share": ("ch_key_share", key_account_share),
    "tiers_abc": ("ch_tier_abc", tiers_and_abc),
    "rfm_map": ("ch_rfm", rfm_map),
    "top_revenue": ("top_by_revenue", top_by_revenue),
    "top_gross_profit": ("top_by_profit", top_by_profit),
    "product_shares": ("ch_product", product_shares),
    "funnel": ("ch_funnel", funnel_chart),
    "lifecycle": ("ch_lifecycle", lifecycle_flow),
    "risk_reasons": ("ch_risk", risk_by_reason),
}


def render_charts(
    marts: d.Marts, changes: Changes, lang: Lang, folder: Path, top_n: int = 10
) -> list[Chart]:
    """Draw every chart of CHARTS into `folder` as `<name>.png`."""
    folder.mkdir(parents=True, exist_ok=True)
    family = register_cjk_font()
    charts = []
    with rc_context(style(family)):
        for name, (title_key, draw) in CHARTS.items():
            if name == "lifecycle":
                fig = draw(marts, lang, changes)
            elif name.startswith("top_"):
                fig = draw(marts, lang, top_n)
            else:
                fig = draw(marts, lang)
            path = folder / f"{name}.png"
            fig.savefig(path, dpi=DPI)
            width, height = (round(v) for v in fig.get_size_inches() * DPI)
            charts.append(Chart(name, lang.t(title_key, n=top_n), path, width, height))
    return charts
