"""The self-contained HTML report: one file, inline CSS, charts embedded as data: URIs.

Every headline number carries its raw value in a `data-value` attribute next to its
formatted text, so the report can be checked against the marts mechanically.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable, Sequence
from datetime import datetime
from html import escape

import pandas as pd

from ka_pipeline.report import data as d
from ka_pipeline.report.changes import Changes
from ka_pipeline.report.charts import Chart
from ka_pipeline.report.i18n import Lang
from ka_pipeline.report.weeks import ReportWeek

CHANGE_LIST_LIMIT = 15
MONTHS_IN_TABLE = 13

CSS = """
:root { --ink:#1f1f1f; --muted:#666; --line:#e3e6ea; --brand:#1f4e79; --soft:#eef4fa;
        --warn:#fff4e5; --warn-line:#ed7d31; --bad:#c00000; --good:#548235; }
* { box-sizing:border-box; }
body { margin:0; font:14px/1.55 "Noto Sans CJK SC","Source Han Sans SC","PingFang SC",
       "Microsoft YaHei","Helvetica Neue",Arial,sans-serif; color:var(--ink); background:#f6f7f9; }
main { max-width:1180px; margin:0 auto; padding:28px 24px 48px; background:#fff; }
header { border-bottom:3px solid var(--brand); padding-bottom:12px; margin-bottom:18px; }
h1 { font-size:26px; margin:0 0 4px; color:var(--brand); }
h2 { font-size:19px; margin:34px 0 12px; padding-bottom:6px; border-bottom:1px solid var(--line);
     color:var(--brand); }
h3 { font-size:15px; margin:18px 0 8px; }
.meta { color:var(--muted); font-size:13px; }
.meta span { margin-right:18px; }
.lang-switch { float:right; font-size:13px; }
.notice { background:var(--warn); border-left:4px solid var(--warn-line); padding:8px 12px;
          margin:12px 0 0; }
.ok { background:var(--soft); border-left:4px solid var(--brand); padding:8px 12px;
      margin:12px 0 0; }
.kpis { display:grid; grid-template-columns:repeat(auto-fill,minmax(205px,1fr)); gap:12px; }
.kpi { border:1px solid var(--line); border-radius:8px; padding:10px 14px; background:#fbfcfd; }
.kpi .label { color:var(--muted); font-size:12.5px; }
.kpi .value { font-size:22px; color:var(--brand); margin:2px 0; white-space:nowrap; }
.kpi .sub { color:var(--muted); font-size:12px; }
figure { margin:14px 0 22px; }
figure img { max-width:100%; height:auto; border:1px solid var(--line); border-radius:6px; }
figcaption { color:var(--muted); font-size:12.5px; margin-top:4px; }
table { border-collapse:collapse; width:100%; font-size:13px; margin:6px 0 14px; }
th, td { border-bottom:1px solid var(--line); padding:5px 8px; text-align:left;
         vertical-align:top; }
th { background:var(--soft); font-weight:600; white-space:nowrap; }
td.num, th.num { text-align:right; white-space:nowrap; font-variant-numeric:tabular-nums; }
.two { display:grid; grid-template-columns:1fr 1fr; gap:18px; }
@media (max-width:900px) { .two { grid-template-columns:1fr; } }
.changes { display:grid; grid-template-columns:repeat(auto-fill,minmax(330px,1fr)); gap:12px; }
.change { border:1px solid var(--line); border-radius:8px; padding:8px 12px; }
.change h3 { margin:2px 0 6px; }
.change .n { color:var(--brand); font-size:18px; margin-left:6px; }
.change ul { margin:0; padding-left:18px; }
.lvl-high { color:#fff; background:var(--bad); border-radius:4px; padding:0 6px; }
.lvl-medium { color:#fff; background:var(--warn-line); border-radius:4px; padding:0 6px; }
.lvl-low, .lvl-none { color:var(--muted); }
.up { color:var(--good); } .down { color:var(--bad); }
.scroll { max-height:560px; overflow:auto; border:1px solid var(--line); border-radius:6px; }
.scroll table { margin:0; }
.scroll th { position:sticky; top:0; }
footer { margin-top:36px; color:var(--muted); font-size:12px; border-top:1px solid var(--line);
         padding-top:10px; }
"""


def _data_value(value: object) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    return str(value)


def _kpi(name: str, label: str, value: object, text: str, sub: str = "") -> str:
    sub_html = f'<div class="sub">{escape(sub)}</div>' if sub else ""
    return (
        f'<div class="kpi" data-kpi="{name}" data-value="{escape(_data_value(value))}">'
        f'<div class="label">{escape(label)}</div><div class="value">{escape(text)}</div>'
        f"{sub_html}</div>"
    )


def _table(
    headers: Sequence[tuple[str, bool]],
    rows: Iterable[Sequence[str]],
    css: str = "",
    raw: bool = False,
) -> str:
    """headers: (text, numeric); cells are escaped unless `raw`."""
    head = "".join(
        f'<th class="num">{escape(h)}</th>' if n else f"<th>{escape(h)}</th>" for h, n in headers
    )
    body = []
    for row in rows:
        cells = "".join(
            f'<td class="num">{c if raw else escape(c)}</td>'
            if n
            else f"<td>{c if raw else escape(c)}</td>"
            for c, (_, n) in zip(row, headers, strict=True)
        )
        body.append(f"<tr>{cells}</tr>")
    attrs = f' class="{css}"' if css else ""
    return f"<table{attrs}><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _figure(chart: Chart) -> str:
    encoded = base64.b64encode(chart.path.read_bytes()).decode("ascii")
    return (
        f'<figure><img src="data:image/png;base64,{encoded}" alt="{escape(chart.title)}" '
        f'width="{chart.width}" height="{chart.height}" data-chart="{chart.name}">'
        f"<figcaption>{escape(chart.title)}</figcaption></figure>"
    )


def _account(row) -> str:
    account_id, name = escape(str(row["account_id"])), escape(str(row["account_name"]))
    return f'<span data-account="{account_id}">{name}</span>'


def _level(lang: Lang, code: str) -> str:
    return f'<span class="lvl-{escape(code)}">{escape(lang.risk_level(code))}</span>'


def headline_cards(kpis: dict, lang: Lang) -> str:
    month = kpis["last_month"]
    cards = [
        _kpi(
            "key_account_count",
            lang.t("kpi_key_account_count"),
            kpis["key_account_count"],
            lang.count(kpis["key_account_count"]),
            lang.t("kpi_key_account_count_sub", vip=kpis["vip_count"], key=kpis["key_tier_count"]),
        ),
        _kpi(
            "window_revenue_cny",
            lang.t("kpi_window_revenue_cny"),
            kpis["window_revenue_cny"],
            lang.money(kpis["window_revenue_cny"]),
        ),
        _kpi(
            "key_account_revenue_share",
            lang.t("kpi_key_account_revenue_share"),
            kpis["key_account_revenue_share"],
            lang.pct(kpis["key_account_revenue_share"]),
            lang.money(kpis["key_account_revenue_cny"]),
        ),
        _kpi(
            "key_account_margin_share",
            lang.t("kpi_key_account_margin_share"),
            kpis["key_account_margin_share"],
            lang.pct(kpis["key_account_margin_share"]),
            lang.money(kpis["key_account_margin_cny"]),
        ),
        _kpi(
            "avg_revenue_per_key_account",
            lang.t("kpi_avg_revenue_per_key_account"),
            kpis["avg_revenue_per_key_account"],
            lang.money(kpis["avg_revenue_per_key_account"]),
        ),
        _kpi("aov_cny", lang.t("kpi_aov_cny"), kpis["aov_cny"], lang.money(kpis["aov_cny"])),
        _kpi(
            "gross_margin_pct",
            lang.t("kpi_gross_margin_pct"),
            kpis["gross_margin_pct"],
            lang.pct(kpis["gross_margin_pct"]),
        ),
    ]
    if month is not None:
        cards.append(
            _kpi(
                "last_month_revenue_cny",
                lang.t("kpi_last_month_revenue_cny", month=lang.month(month)),
                kpis["last_month_revenue_cny"],
                lang.money(kpis["last_month_revenue_cny"]),
                lang.t(
                    "kpi_last_month_sub",
                    mom=lang.pct(kpis["last_month_mom_pct"], signed=True),
                    yoy=lang.pct(kpis["last_month_yoy_pct"], signed=True),
                ),
            )
        )
    cards += [
        _kpi(
            "at_risk_count",
            lang.t("kpi_at_risk_count"),
            kpis["at_risk_count"],
            lang.count(kpis["at_risk_count"]),
            lang.t(
                "kpi_at_risk_sub",
                high=kpis["high_risk_count"],
                medium=kpis["medium_risk_count"],
                key=kpis["key_at_risk_count"],
            ),
        ),
        _kpi("win_rate", lang.t("kpi_win_rate"), kpis["win_rate"], lang.pct(kpis["win_rate"])),
        _kpi(
            "collection_rate_12m",
            lang.t("kpi_collection_rate"),
            kpis["collection_rate_12m"],
            lang.pct(kpis["collection_rate_12m"]),
        ),
        _kpi(
            "satisfaction_avg_12m",
            lang.t("kpi_satisfaction_avg"),
            kpis["satisfaction_avg_12m"],
            lang.decimal(kpis["satisfaction_avg_12m"]),
        ),
    ]
    # the hidden high-risk count keeps every number of the sub-lines checkable too
    cards.append(
        f'<span hidden data-kpi="high_risk_count" data-value="{kpis["high_risk_count"]}"></span>'
    )
    return f'<div class="kpis">{"".join(cards)}</div>'


def changes_section(changes: Changes, lang: Lang, week: ReportWeek, tiers: dict) -> str:
    if not changes.has_previous:
        return f'<p class="ok" data-changes="none">{escape(lang.t("no_previous"))}</p>'
    previous = changes.previous
    notes = [lang.t("previous_from", week=previous.week.label, as_of=previous.as_of_date)]
    if previous.week != week.previous:
        notes.append(lang.t("previous_not_adjacent", week=previous.week.label))
    css = "notice" if len(notes) > 1 else "ok"
    parts = [f'<p class="{css}" data-changes="compared">{escape(" ".join(notes))}</p>']

    def tier(code) -> str:
        if code is None or pd.isna(code):
            return "–"
        names = tiers.get(code, (code, code))
        return names[0 if lang.zh else 1]

    def block(name: str, frame: pd.DataFrame, line) -> str:
        items = [f"<li>{line(row)}</li>" for _, row in frame.head(CHANGE_LIST_LIMIT).iterrows()]
        if len(frame) > CHANGE_LIST_LIMIT:
            items.append(f"<li>{escape(lang.t('chg_more', n=len(frame) - CHANGE_LIST_LIMIT))}</li>")
        body = f"<ul>{''.join(items)}</ul>" if items else f"<p>{escape(lang.t('chg_none'))}</p>"
        return (
            f'<div class="change" data-change="{name}" data-count="{len(frame)}">'
            f'<h3>{escape(lang.t("chg_" + name))}<span class="n">{len(frame)}</span></h3>'
            f"{body}</div>"
        )

    def account(row) -> str:
        return _account(row)

    def owner(row) -> str:
        name = row.get("owner_rep_name")
        return "" if name is None or pd.isna(name) else f" · {escape(str(name))}"

    blocks = [
        block(
            "new_key_accounts",
            changes.new_key_accounts,
            lambda r: f"{account(r)} ({escape(tier(r['value_tier_code']))}){owner(r)}",
        ),
        block(
            "dropped_key_accounts",
            changes.dropped_key_accounts,
            lambda r: (
                f"{account(r)} ({escape(tier(r['value_tier_code_prev']))} → "
                f"{escape(tier(r['value_tier_code']))}){owner(r)}"
            ),
        ),
        block(
            "tier_moves",
            changes.tier_moves,
            lambda r: (
                f'{account(r)} <span class="{r["tier_move_direction"]}">'
                f"{escape(tier(r['value_tier_code_prev']))} → "
                f"{escape(tier(r['value_tier_code']))}</span>"
            ),
        ),
        block(
            "newly_at_risk",
            changes.newly_at_risk,
            lambda r: (
                f"{account(r)} {_level(lang, r['risk_level_code'])} "
                f"{lang.count(r['risk_score'])}{owner(r)}"
            ),
        ),
        block(
            "recovered",
            changes.recovered,
            lambda r: (
                f"{account(r)} {_level(lang, r['risk_level_code_prev'])} → "
                f"{_level(lang, r['risk_level_code'])}{owner(r)}"
            ),
        ),
    ]
    parts.append(f'<div class="changes">{"".join(blocks)}</div>')
    return "".join(parts)


def monthly_table(marts: d.Marts, lang: Lang) -> str:
    months = d.monthly_totals(marts).tail(MONTHS_IN_TABLE).iloc[::-1]
    headers = [
        (lang.t("col_month"), False),
        (lang.t("col_revenue"), True),
        (lang.t("col_mom"), True),
        (lang.t("col_yoy"), True),
        (lang.t("col_key_share"), True),
        (lang.t("col_orders"), True),
    ]
    rows = []
    for row in months.itertuples():
        label = lang.month(row.month_start)
        if not row.is_complete_month:
            label += lang.t("incomplete_month", as_of=marts.as_of_date)
        rows.append(
            [
                label,
                lang.amount(row.revenue_cny),
                lang.pct(row.revenue_mom_pct, signed=True),
                lang.pct(row.revenue_yoy_pct, signed=True),
                lang.pct(row.key_account_revenue_share),
                lang.count(row.order_count),
            ]
        )
    return f'<div data-table="monthly" data-rows="{len(rows)}">{_table(headers, rows)}</div>'


def quarterly_table(marts: d.Marts, lang: Lang) -> str:
    quarters = d.quarterly_totals(marts).iloc[::-1]
    headers = [
        (lang.t("col_quarter"), False),
        (lang.t("col_revenue"), True),
        (lang.t("col_qoq"), True),
        (lang.t("col_yoy"), True),
        (lang.t("col_key_share"), True),
    ]
    rows = []
    for quarter, row in quarters.iterrows():
        label = quarter if row["is_complete_quarter"] else f"{quarter} {lang.t('partial_quarter')}"
        rows.append([
            label,
            lang.amount(row["revenue_cny"]),
            lang.pct(row["revenue_qoq_pct"], signed=True),
            lang.pct(row["revenue_yoy_pct"], signed=True),
            lang.pct(row["key_account_revenue_share"]),
        ])  # fmt: skip
    return f'<div data-table="quarterly" data-rows="{len(rows)}">{_table(headers, rows)}</div>'


def top_table(marts: d.Marts, lang: Lang, metric: str) -> str:
    top = d.top_accounts(marts, metric)
    tiers = d.tier_names(marts)
    value_header = lang.t("col_revenue") if metric == "revenue" else lang.t("col_gross_profit")
    headers = [
        (lang.t("col_rank"), True),
        (lang.t("col_account"), False),
        (lang.t("col_region"), False),
        (lang.t("col_tier"), False),
        (value_header, True),
        (lang.t("col_share"), True),
        (lang.t("col_margin_pct"), True),
    ]
    rows = [
        [
            str(int(r["rank_position"])),
            str(r["account_name"]),
            lang.pick(r, "region_name"),
            tiers.get(r["value_tier_code"], (r["value_tier_code"],) * 2)[0 if lang.zh else 1],
            lang.amount(r["metric_value_cny"]),
            lang.pct(r["metric_share_of_total"]),
            lang.pct(r["gross_margin_pct"]),
        ]
        for _, r in top.iterrows()
    ]
    return f'<div data-top="{metric}">{_table(headers, rows)}</div>'


def risk_table(marts: d.Marts, lang: Lang) -> str:
    at_risk = d.at_risk_accounts(marts)
    headers = [
        (lang.t("col_account"), False),
        (lang.t("col_region"), False),
        (lang.t("col_key"), False),
        (lang.t("col_risk_level"), False),
        (lang.t("col_risk_score"), True),
        (lang.t("col_revenue"), True),
        (lang.t("col_reasons"), False),
        (lang.t("col_owner"), False),
        (lang.t("col_team"), False),
    ]
    rows = []
    for _, r in at_risk.iterrows():
        rows.append(
            [
                _account(r),
                escape(lang.pick(r, "region_name")),
                escape(lang.t("yes") if r["is_key_account"] else lang.t("no")),
                _level(lang, r["risk_level_code"]),
                escape(lang.count(r["risk_score"])),
                escape(lang.amount(r["window_revenue_cny"])),
                escape(lang.pick(r, "reasons")),
                escape(str(r["owner_rep_name"])),
                escape(str(r["owner_rep_team"])),
            ]
        )
    table = _table(headers, rows, raw=True)
    return (
        f'<p class="meta">{escape(lang.t("risk_table_note"))}</p>'
        f'<div class="scroll" data-table="at_risk" data-rows="{len(rows)}">{table}</div>'
    )


def _not_available(lang: Lang, table: str) -> str:
    return (
        f'<p class="notice" data-not-available="{escape(table)}">'
        f"{escape(lang.t('not_available', table=table))}</p>"
    )


def clusters_section(marts: d.Marts, lang: Lang, chart) -> str:
    profiles = d.cluster_profiles(marts)
    if profiles.empty:
        return _not_available(lang, "marts.mart_cluster_profiles")
    first = profiles.iloc[0]
    k, silhouette = lang.count(first["chosen_k"]), lang.decimal(first["silhouette"])
    note = lang.t("cluster_note", k=k, silhouette=silhouette)
    headers = [
        (lang.t("col_cluster"), True),
        (lang.t("col_cluster_name"), False),
        (lang.t("col_accounts"), True),
        (lang.t("col_share"), True),
        (lang.t("col_profile"), False),
    ]
    rows = [
        [
            str(r["cluster_id"]),
            lang.pick(r, "cluster_name"),
            lang.count(r["account_count"]),
            lang.pct(r["account_share"]),
            "" if r["distinguishing_features"] is None else str(r["distinguishing_features"]),
        ]
        for _, r in profiles.iterrows()
    ]
    return (
        f"{chart('cluster_profiles')}{chart('cluster_projection')}"
        f"<h3>{escape(lang.t('cluster_table'))}</h3>"
        f'<p class="meta">{escape(note)}</p>'
        f'<div data-table="clusters" data-rows="{len(rows)}">{_table(headers, rows)}</div>'
    )


def forecast_section(marts: d.Marts, lang: Lang, chart) -> str:
    rows = d.revenue_forecast(marts)
    if rows.empty:
        return _not_available(lang, "marts.mart_revenue_forecast")
    ahead = rows[rows["row_type"] == "forecast"]
    level = lang.pct(rows.iloc[0]["interval_level"], 0)
    note = lang.t("forecast_note", level=level)
    headers = [
        (lang.t("col_region"), False),
        (lang.t("col_method"), False),
        (lang.t("col_month"), False),
        (lang.t("col_forecast"), True),
        (lang.t("col_lower"), True),
        (lang.t("col_upper"), True),
    ]
    body = [
        [
            lang.pick(r, "region_name"),
            lang.forecast_method(str(r["method"])),
            lang.month(r["month_start"]),
            lang.amount(r["revenue_cny"]),
            lang.amount(r["lower_cny"]),
            lang.amount(r["upper_cny"]),
        ]
        for _, r in ahead.iterrows()
    ]
    return (
        f"{chart('revenue_forecast')}<h3>{escape(lang.t('forecast_table'))}</h3>"
        f'<p class="meta">{escape(note)}</p>'
        f'<div class="scroll" data-table="forecast" data-rows="{len(body)}">'
        f"{_table(headers, body)}</div>"
    )


def risk_backtest_headline(marts: d.Marts, lang: Lang) -> str:
    high = d.last_quarter_high_risk(marts)
    if high is None:
        return ""
    text = lang.risk_backtest_headline(high)
    return f'<p class="ok" data-risk-backtest="headline">{escape(text)}</p>'


def risk_backtest_table(marts: d.Marts, lang: Lang) -> str:
    rows = d.risk_backtest(marts)
    if rows.empty:
        return _not_available(lang, "marts.mart_risk_backtest")
    headers = [
        (lang.t("col_snapshot"), False),
        (lang.t("col_horizon"), True),
        (lang.t("col_level"), False),
        (lang.t("col_flagged"), True),
        (lang.t("col_flagged_share"), True),
        (lang.t("col_precision"), True),
        (lang.t("col_base_rate"), True),
        (lang.t("col_unflagged_rate"), True),
        (lang.t("col_recall"), True),
        (lang.t("col_lift_base"), True),
        (lang.t("col_lift_unflagged"), True),
        (lang.t("col_auc_score"), True),
        (lang.t("col_auc_recency"), True),
    ]
    body = [
        [
            snapshot_label(lang, r),
            lang.count(r["horizon_days"]),
            risk_level_label(lang, r["group_code"]),
            lang.count(r["flagged_account_count"]),
            lang.pct(r["flagged_share"]),
            lang.pct(r["churn_rate_flagged"]),
            lang.pct(r["base_churn_rate"]),
            lang.pct(r["churn_rate_reference"]),
            lang.pct(r["recall"]),
            lang.decimal(r["lift_vs_base"]),
            lang.decimal(r["lift_vs_reference"]),
            lang.decimal(r["auc_risk_score"], 3),
            lang.decimal(r["auc_days_since_last_order"], 3),
        ]
        for _, r in rows.iterrows()
    ]
    return (
        f"<h3>{escape(lang.t('risk_backtest_table'))}</h3>{risk_backtest_headline(marts, lang)}"
        f'<p class="meta">{escape(lang.t("risk_backtest_note"))}</p>'
        f'<div class="scroll" data-table="risk_backtest" data-rows="{len(body)}">'
        f"{_table(headers, body)}</div>"
    )


def snapshot_label(lang: Lang, row) -> str:
    if row["scope"] == "overall":
        return lang.t("snapshot_pooled")
    return str(d.to_date(row["snapshot_date"]))


def risk_level_label(lang: Lang, code: str) -> str:
    return lang.t("level_high_or_medium") if code == "high_or_medium" else lang.risk_level(code)


def model_backtest_table(marts: d.Marts, lang: Lang) -> str:
    rows = d.model_backtests(marts)
    if rows.empty:
        return _not_available(lang, "marts.mart_model_backtests")
    headers = [
        (lang.t("col_model"), False),
        (lang.t("col_metric"), False),
        (lang.t("col_baseline"), False),
        (lang.t("col_model_value"), True),
        (lang.t("col_baseline_value"), True),
        (lang.t("col_improvement"), True),
        (lang.t("col_beats"), False),
        (lang.t("col_n"), True),
        (lang.t("col_cutoff"), False),
    ]
    body = [
        [
            str(r["model_name"]),
            lang.metric(str(r["metric_name"])),
            str(r["baseline_name"]),
            lang.backtest_value(r["metric_name"], r["model_value"]),
            lang.backtest_value(r["metric_name"], r["baseline_value"]),
            lang.improvement(r["metric_name"], r["relative_improvement"]),
            lang.yes_no(r["model_beats_baseline"]),
            lang.count(r["n_observations"]),
            str(d.to_date(r["cutoff_date"])),
        ]
        for _, r in rows.iterrows()
    ]
    return (
        f"<h3>{escape(lang.t('model_backtest_table'))}</h3>"
        f'<p class="meta">{escape(lang.t("model_backtest_note"))}</p>'
        f'<div class="scroll" data-table="model_backtests" data-rows="{len(body)}">'
        f"{_table(headers, body)}</div>"
    )


def win_back_line(kpis: dict, marts: d.Marts, lang: Lang) -> str:
    days = marts.parameter("risk_win_back_days") or "–"
    text = lang.t("win_back_count", n=lang.count(kpis["win_back_count"]), days=days)
    return (
        f'<p class="meta" data-kpi="win_back_count" data-value="{kpis["win_back_count"]}">'
        f"{escape(text)}</p>"
    )


def parameters_table(marts: d.Marts, lang: Lang) -> str:
    params = marts["mart_run_parameters"].sort_values("sort_order")
    rows = [
        [str(r.parameter_name), str(r.resolved_value), str(r.description)]
        for r in params.itertuples()
    ]
    headers = [
        (lang.t("col_parameter"), False),
        (lang.t("col_value"), False),
        (lang.t("col_description"), False),
    ]
    return _table(headers, rows)


def render_html(
    *,
    marts: d.Marts,
    kpis: dict,
    changes: Changes,
    charts: dict[str, Chart],
    lang: Lang,
    week: ReportWeek,
    generated_at: datetime,
    other_languages: Sequence[str] = (),
) -> str:
    as_of = marts.as_of_date
    differs = as_of != week.sunday
    as_of_note = (
        f'<p class="notice" data-as-of="{as_of}" data-week-end="{week.sunday}">'
        f"{escape(lang.t('as_of_differs', as_of=as_of, week_end=week.sunday))}</p>"
        if differs
        else f'<p class="ok" data-as-of="{as_of}" data-week-end="{week.sunday}">'
        f"{escape(lang.t('as_of_matches'))}</p>"
    )
    switch = "".join(
        f'<a class="lang-switch" href="../{code}/report.html">{escape(_switch_label(code))}</a>'
        for code in other_languages
    )
    tiers = d.tier_names(marts)

    def chart(name: str) -> str:
        return _figure(charts[name]) if name in charts else ""

    title = f"{lang.t('title')} · {week.label}"
    window = f"{marts.window_start_date} – {as_of}"
    generated = f"{generated_at:%Y-%m-%d %H:%M} ({generated_at.tzinfo})"
    top_revenue_n = len(d.top_accounts(marts, "revenue"))
    body = f"""
<header>
{switch}
<h1>{escape(title)}</h1>
<div class="meta"><span>{escape(lang.t("period"))}: {week.monday} – {week.sunday}</span>
<span>{escape(lang.t("as_of"))}: <b data-kpi="as_of_date" data-value="{as_of}">{as_of}</b></span>
<span>{escape(lang.t("window", months=marts.window_months))}: {window}</span>
<span>{escape(lang.t("generated"))}: {generated}</span></div>
{as_of_note}
</header>
<section id="kpis"><h2>{escape(lang.t("sec_kpis"))}</h2>{headline_cards(kpis, lang)}
<p class="meta">{escape(lang.t("rollup_note"))}</p></section>
<section id="changes"><h2>{escape(lang.t("sec_changes"))}</h2>
{changes_section(changes, lang, week, tiers)}</section>
<section id="revenue"><h2>{escape(lang.t("sec_revenue"))}</h2>{chart("revenue_trend")}
<div class="two"><div><h3>{escape(lang.t("monthly_table"))}</h3>{monthly_table(marts, lang)}</div>
<div><h3>{escape(lang.t("quarterly_table"))}</h3>{quarterly_table(marts, lang)}
<p class="meta">{escape(lang.t("quarter_note"))}</p></div></div></section>
<section id="accounts"><h2>{escape(lang.t("sec_accounts"))}</h2>
{chart("key_accounts_by_region")}{chart("key_account_share")}</section>
<section id="segments"><h2>{escape(lang.t("sec_segments"))}</h2>
{chart("tiers_abc")}{chart("rfm_map")}</section>
<section id="top"><h2>{escape(lang.t("sec_top"))}</h2>
{chart("top_revenue")}{chart("top_gross_profit")}
<div class="two"><div><h3>{escape(lang.t("top_by_revenue", n=top_revenue_n))}</h3>
{top_table(marts, lang, "revenue")}</div>
<div><h3>{escape(lang.t("top_by_profit", n=len(d.top_accounts(marts, "gross_profit"))))}</h3>
{top_table(marts, lang, "gross_profit")}</div></div></section>
<section id="products"><h2>{escape(lang.t("sec_products"))}</h2>{chart("product_shares")}</section>
<section id="funnel"><h2>{escape(lang.t("sec_funnel"))}</h2>{chart("funnel")}</section>
<section id="lifecycle"><h2>{escape(lang.t("sec_lifecycle"))}</h2>{chart("lifecycle")}</section>
<section id="risk"><h2>{escape(lang.t("sec_risk"))}</h2>{chart("risk_reasons")}
{win_back_line(kpis, marts, lang)}
{risk_table(marts, lang)}
<p class="meta">{escape(lang.t("review_cross_sell_note"))}</p></section>
<section id="clusters"><h2>{escape(lang.t("sec_clusters"))}</h2>
{clusters_section(marts, lang, chart)}</section>
<section id="forecast"><h2>{escape(lang.t("sec_forecast"))}</h2>
{forecast_section(marts, lang, chart)}</section>
<section id="backtests"><h2>{escape(lang.t("sec_backtests"))}</h2>
{risk_backtest_table(marts, lang)}{model_backtest_table(marts, lang)}</section>
<section id="parameters"><h2>{escape(lang.t("sec_parameters"))}</h2>
{parameters_table(marts, lang)}</section>
<footer>{escape(lang.t("source_note"))} {escape(lang.t("rollup_note"))}
{escape(lang.t("as_of"))} {as_of} ({escape(marts.as_of_date_source)}); dbt {escape(marts.built_at)}.
</footer>"""
    html_lang = "zh-CN" if lang.zh else "en"
    return (
        f'<!DOCTYPE html>\n<html lang="{html_lang}">\n<head>\n<meta charset="utf-8">\n'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title)}</title>\n<style>{CSS}</style>\n</head>\n"
        f"<body><main>{body}\n</main></body>\n</html>\n"
    )


def _switch_label(code: str) -> str:
    return "中文版" if code == "zh" else "English version"
