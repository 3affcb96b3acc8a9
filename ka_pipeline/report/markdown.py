"""The Markdown summary of a weekly report (summary.md, and the Dagster asset's metadata)."""

from __future__ import annotations

import base64
import io
from collections.abc import Sequence
from pathlib import Path

from ka_pipeline.report import data as d
from ka_pipeline.report.changes import Changes
from ka_pipeline.report.charts import Chart
from ka_pipeline.report.i18n import Lang
from ka_pipeline.report.safe_text import markdown_text
from ka_pipeline.report.weeks import ReportWeek

TOP_IN_SUMMARY = 5
THUMBNAIL_WIDTH = 360


def _cell(text: object) -> str:
    return markdown_text(text)


def render_summary(
    *, marts: d.Marts, kpis: dict, changes: Changes, lang: Lang, week: ReportWeek
) -> str:
    as_of = marts.as_of_date
    lines = [
        f"# {lang.t('title')} · {week.label}",
        "",
        f"{lang.t('period')}: {week.monday} – {week.sunday} · {lang.t('as_of')}: **{as_of}** · "
        f"{lang.t('window', months=marts.window_months)}: {marts.window_start_date} – {as_of}",
        "",
    ]
    if as_of != week.sunday:
        lines += [f"> {lang.t('as_of_differs', as_of=as_of, week_end=week.sunday)}", ""]
    month = kpis["last_month"]
    rows = [
        (lang.t("kpi_key_account_count"), lang.count(kpis["key_account_count"])),
        (lang.t("kpi_window_revenue_cny"), lang.money(kpis["window_revenue_cny"])),
        (lang.t("kpi_key_account_revenue_share"), lang.pct(kpis["key_account_revenue_share"])),
        (lang.t("kpi_key_account_margin_share"), lang.pct(kpis["key_account_margin_share"])),
        (
            lang.t("kpi_avg_revenue_per_key_account"),
            lang.money(kpis["avg_revenue_per_key_account"]),
        ),
    ]
    if month is not None:
        rows.append(
            (
                lang.t("kpi_last_month_revenue_cny", month=lang.month(month)),
                f"{lang.money(kpis['last_month_revenue_cny'])} ("
                + lang.t(
                    "kpi_last_month_sub",
                    mom=lang.pct(kpis["last_month_mom_pct"], signed=True),
                    yoy=lang.pct(kpis["last_month_yoy_pct"], signed=True),
                )
                + ")",
            )
        )
    rows += [
        (
            lang.t("kpi_at_risk_count"),
            f"{kpis['at_risk_count']} ("
            + lang.t(
                "kpi_at_risk_sub",
                high=kpis["high_risk_count"],
                medium=kpis["medium_risk_count"],
                key=kpis["key_at_risk_count"],
            )
            + ")",
        ),
        (lang.t("kpi_win_rate"), lang.pct(kpis["win_rate"])),
        (lang.t("kpi_collection_rate"), lang.pct(kpis["collection_rate_12m"])),
    ]
    lines += [
        f"## {lang.t('sec_kpis')}",
        "",
        f"| {lang.t('col_kpi')} | {lang.t('col_value')} |",
        "|---|---:|",
    ]
    lines += [f"| {_cell(k)} | {_cell(v)} |" for k, v in rows]
    lines += ["", f"## {lang.t('sec_changes')}", ""]
    if not changes.has_previous:
        lines.append(lang.t("no_previous"))
    else:
        lines.append(
            lang.t(
                "previous_from", week=changes.previous.week.label, as_of=changes.previous.as_of_date
            )
        )
        lines.append("")
        for name, frame in (
            ("new_key_accounts", changes.new_key_accounts),
            ("dropped_key_accounts", changes.dropped_key_accounts),
            ("tier_moves", changes.tier_moves),
            ("newly_at_risk", changes.newly_at_risk),
            ("recovered", changes.recovered),
        ):
            names = ", ".join(_cell(n) for n in frame.head(8)["account_name"]) if len(frame) else ""
            more = f" {lang.t('chg_more', n=len(frame) - 8)}" if len(frame) > 8 else ""
            lines.append(
                f"- **{lang.t('chg_' + name)}**: {len(frame)}"
                + (f" — {names}{more}" if names else "")
            )
    for metric, key in (("revenue", "top_by_revenue"), ("gross_profit", "top_by_profit")):
        top = d.top_accounts(marts, metric).head(TOP_IN_SUMMARY)
        lines += ["", f"## {lang.t(key, n=len(top))}", ""]
        lines += [
            f"{int(r.rank_position)}. {_cell(r.account_name)} — {lang.money(r.metric_value_cny)} "
            f"({lang.pct(r.metric_share_of_total)})"
            for r in top.itertuples()
        ]
    at_risk = d.at_risk_accounts(marts)
    high = at_risk[at_risk["risk_level_code"] == "high"].head(TOP_IN_SUMMARY)
    lines += ["", f"## {lang.t('sec_risk')}", ""]
    lines += [
        f"- {_cell(r['account_name'])} ({lang.risk_level(r['risk_level_code'])}, "
        f"{int(r['risk_score'])}) — {_cell(lang.pick(r, 'top_reasons'))} · "
        f"{_cell(r['owner_rep_name'])}"
        for _, r in high.iterrows()
    ]
    days = marts.parameter("risk_win_back_days") or "–"
    lines += ["", lang.t("win_back_count", n=lang.count(kpis["win_back_count"]), days=days)]
    lines += _analytics_lines(marts, lang)
    return "\n".join(lines) + "\n"


def _analytics_lines(marts: d.Marts, lang: Lang) -> list[str]:
    """Clusters, the revenue forecast and the backtests (a note when a table is empty)."""
    lines = ["", f"## {lang.t('sec_clusters')}", ""]
    profiles = d.cluster_profiles(marts)
    if profiles.empty:
        lines.append(lang.t("not_available", table="marts.mart_cluster_profiles"))
    lines += [
        f"- {r['cluster_id']} · {_cell(lang.pick(r, 'cluster_name'))}: "
        f"{lang.count(r['account_count'])} ({lang.pct(r['account_share'])})"
        for _, r in profiles.iterrows()
    ]
    lines += ["", f"## {lang.t('sec_forecast')}", ""]
    forecast = d.revenue_forecast(marts)
    ahead = forecast[forecast["row_type"] == "forecast"]
    if ahead.empty:
        lines.append(lang.t("not_available", table="marts.mart_revenue_forecast"))
    else:
        lines += [
            f"| {lang.t('col_region')} | {lang.t('col_month')} | {lang.t('col_forecast')} | "
            f"{lang.t('col_lower')} | {lang.t('col_upper')} |",
            "|---|---|---:|---:|---:|",
        ]
        lines += [
            f"| {_cell(lang.pick(r, 'region_name'))} | {lang.month(r['month_start'])} | "
            f"{lang.amount(r['revenue_cny'])} | {lang.amount(r['lower_cny'])} | "
            f"{lang.amount(r['upper_cny'])} |"
            for _, r in ahead.iterrows()
        ]
    lines += ["", f"## {lang.t('sec_backtests')}", ""]
    high = d.last_quarter_high_risk(marts)
    if high is None:
        lines.append(lang.t("not_available", table="marts.mart_risk_backtest"))
    else:
        lines.append(lang.risk_backtest_headline(high))
    backtests = d.model_backtests(marts)
    if backtests.empty:
        lines += ["", lang.t("not_available", table="marts.mart_model_backtests")]
    else:
        lines += [
            "",
            f"| {lang.t('col_model')} | {lang.t('col_metric')} | {lang.t('col_baseline')} | "
            f"{lang.t('col_model_value')} | {lang.t('col_baseline_value')} | "
            f"{lang.t('col_beats')} |",
            "|---|---|---|---:|---:|---|",
        ]
        lines += [
            f"| {r['model_name']} | {lang.metric(r['metric_name'])} | {r['baseline_name']} | "
            f"{lang.backtest_value(r['metric_name'], r['model_value'])} | "
            f"{lang.backtest_value(r['metric_name'], r['baseline_value'])} | "
            f"{lang.yes_no(r['model_beats_baseline'])} |"
            for _, r in backtests.iterrows()
        ]
    return lines


def thumbnail(path: Path, width: int = THUMBNAIL_WIDTH) -> bytes:
    """A small palette PNG of a chart, for the Dagster UI."""
    from PIL import Image

    with Image.open(path) as image:
        height = round(image.height * width / image.width)
        small = image.convert("RGB").resize((width, height), Image.Resampling.LANCZOS)
        small = small.quantize(colors=64)
        buffer = io.BytesIO()
        small.save(buffer, format="PNG", optimize=True)
        return buffer.getvalue()


def metadata_markdown(summary: str, charts: Sequence[Chart]) -> str:
    """The summary followed by small embedded previews of every chart."""
    previews = [
        f"![{chart.title}](data:image/png;base64,"
        f"{base64.b64encode(thumbnail(chart.path)).decode('ascii')})"
        for chart in charts
    ]
    return summary + "\n## Charts\n\n" + "\n".join(previews) + "\n"
