"""The weekly report rendered from a real warehouse through Dagster, checked file by file.

The report is rendered once per session (fixture `weekly_report`) from the `clean_build`
sample: through the weekly-report job, in-process, against the workspace's Dagster instance,
so the quality gate reads the check evaluations of the real build. A previous-week snapshot
with known differences is planted first, so "what changed since last week" is exercised.
"""

from __future__ import annotations

import base64
import logging
import struct
import time
import warnings
from dataclasses import dataclass
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from dagster import AssetKey, DagsterInstance

from ka_pipeline.defs.definitions import build_definitions
from ka_pipeline.defs.partitions import weekly_partitions
from ka_pipeline.defs.report import WEEKLY_REPORT_KEY, build_weekly_report_asset
from ka_pipeline.report.analytics_charts import ANALYTICS_CHARTS
from ka_pipeline.report.charts import CHARTS
from ka_pipeline.report.i18n import Lang
from ka_pipeline.report.xlsx import PAIRED, REVIEW_COLUMNS, SHEET_ALL, SHEET_NOTES
from ka_pipeline.runs.report import latest_report_week, run_weekly_report
from ka_pipeline.settings import Settings

ALL_CHARTS = [*CHARTS, *ANALYTICS_CHARTS]  # the analytics stage runs in `make run`

pytestmark = pytest.mark.slow

LANGUAGES = ("zh", "en")
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@dataclass(frozen=True)
class Planted:
    """The differences planted in the previous week's account state."""

    new_key: str  # key account now, planted as "potential" last week
    dropped_key: str  # not a key account now, planted as "key" last week
    newly_at_risk: str  # high risk now, planted as "none"
    recovered: str  # no risk now, planted as "high"


@dataclass(frozen=True)
class RenderedReport:
    folder: Path
    run_id: str
    seconds: float
    wall_seconds: float
    planted: Planted
    warnings: list[str]
    instance_home: Path


HISTORY = "marts.mart_report_account_state_history"
COMPARING_MARTS = ("mart_report_comparison", "mart_report_account_changes",
                   "mart_report_lifecycle_flow")  # fmt: skip


def plant_previous_week(ws) -> Planted:
    """Last week's account state, as the build of 7 days ago would have kept it: today's
    state with four known changes, in the warehouse's state history; then dbt rebuilds the
    marts that compare with it."""
    with duckdb.connect(str(ws.settings.warehouse_path)) as conn:
        state = conn.execute(f"select * from {HISTORY}").df()
        key = state[state["is_key_account"]]
        nonkey = state[~state["is_key_account"] & (state["value_tier_code"] == "general")]
        new_key = key["account_id"].iloc[0]
        dropped = nonkey["account_id"].iloc[0]
        others = state[~state["account_id"].isin([new_key, dropped])]
        at_risk = others[others["risk_level_code"] == "high"]["account_id"].iloc[0]
        calm = others[others["risk_level_code"] == "none"]["account_id"].iloc[0]
        previous = state.copy()
        rows = previous["account_id"]
        tier_columns = ["is_key_account", "value_tier_code", "value_tier_sort_order"]
        previous.loc[rows == new_key, tier_columns] = [False, "potential", 3]
        previous.loc[rows == dropped, tier_columns] = [True, "key", 2]
        risk_columns = ["risk_level_code", "is_at_risk", "risk_score"]
        previous.loc[rows == at_risk, risk_columns] = ["none", False, 0]
        previous.loc[rows == calm, risk_columns] = ["high", True, 70]
        previous["as_of_date"] = previous["as_of_date"] - pd.Timedelta(days=7)
        conn.register("previous_week", previous)
        conn.execute(f"insert into {HISTORY} by name select * from previous_week")
    ws.dbt("run", "--select", *COMPARING_MARTS)
    return Planted(new_key, dropped, at_risk, calm)


@pytest.fixture(scope="session")
def weekly_report(clean_build) -> RenderedReport:
    ws = clean_build
    with pytest.MonkeyPatch.context() as env:
        # the instance the CLI runner opens; every setting comes from `settings`
        env.setenv("DAGSTER_HOME", ws.env["DAGSTER_HOME"])
        settings = ws.settings
        week = latest_report_week(settings)
        planted = plant_previous_week(ws)
        records: list[logging.LogRecord] = []
        handler = logging.Handler(logging.WARNING)
        handler.emit = records.append  # type: ignore[method-assign]
        logging.getLogger("matplotlib").addHandler(handler)
        started = time.perf_counter()
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                summary = run_weekly_report(settings, week, definitions=build_definitions(settings))
        finally:
            logging.getLogger("matplotlib").removeHandler(handler)
        wall = time.perf_counter() - started
    assert summary.success, f"weekly report run {summary.run_id} failed"
    messages = [
        str(w.message)
        for w in caught
        if "Glyph" in str(w.message) or "font" in str(w.message).lower()
    ] + [r.getMessage() for r in records]
    print(f"\nweekly report {week.label}: {summary.seconds:.1f} s in the asset, {wall:.1f} s run")
    return RenderedReport(
        summary.folder,
        summary.run_id,
        summary.seconds,
        wall,
        planted,
        messages,
        Path(ws.env["DAGSTER_HOME"]),
    )


# ---- HTML parsing -----------------------------------------------------------------------


class ReportParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.images: list[dict] = []
        self.kpis: dict[str, str] = {}
        self.kpi_text: dict[str, str] = {}
        self.changes: dict[str, int] = {}
        self.change_accounts: dict[str, list[str]] = {}
        self.external: list[str] = []
        self.tables: dict[str, int] = {}
        self.kpi_sub: dict[str, str] = {}
        self.rows: dict[str, list[list[str]]] = {}  # data-table / data-top -> body rows
        self._kpi: str | None = None
        self._in_value = False
        self._in_sub = False
        self._change: str | None = None
        self._table: str | None = None
        self._cell: list[str] | None = None
        self.lang = ""

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "html":
            self.lang = a.get("lang", "")
        if tag == "img":
            self.images.append(a)
        if tag in ("script", "link", "iframe") or (
            tag == "img" and not a.get("src", "").startswith("data:")
        ):
            self.external.append(f"{tag} {a}")
        if "data-kpi" in a:
            self.kpis[a["data-kpi"]] = a.get("data-value", "")
            self._kpi = a["data-kpi"]
        if a.get("class") == "value" and self._kpi:
            self._in_value = True
        if a.get("class") == "sub" and self._kpi:
            self._in_sub = True
        if "data-table" in a or "data-top" in a:
            self._table = a.get("data-table") or f"top_{a['data-top']}"
            self.rows[self._table] = []
        if self._table and tag == "tr":
            self.rows[self._table].append([])  # the header row has no td: dropped at </table>
        if self._table and tag == "td":
            self._cell = []
        if "data-change" in a:
            self._change = a["data-change"]
            self.changes[self._change] = int(a["data-count"])
            self.change_accounts[self._change] = []
        if "data-account" in a and self._change:
            self.change_accounts[self._change].append(a["data-account"])
        if "data-table" in a:
            self.tables[a["data-table"]] = int(a["data-rows"])
        if tag == "section":
            self._change = None

    def handle_endtag(self, tag):
        if tag == "td" and self._cell is not None:
            self.rows[self._table][-1].append("".join(self._cell).strip())
            self._cell = None
        if tag == "table" and self._table:
            self.rows[self._table] = [row for row in self.rows[self._table] if row]
            self._table = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)
        if self._in_value and self._kpi:
            self.kpi_text[self._kpi] = data.strip()
            self._in_value = False
        if self._in_sub and self._kpi:
            self.kpi_sub[self._kpi] = data.strip()
            self._in_sub = False


def parse(path: Path) -> ReportParser:
    parser = ReportParser()
    parser.feed(path.read_text(encoding="utf-8"))
    parser.close()
    return parser


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == PNG_SIGNATURE, "not a PNG"
    assert data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


# ---- files ------------------------------------------------------------------------------


def test_report_files_exist_for_both_languages(weekly_report):
    folder = weekly_report.folder
    assert folder.name == latest_report_week_label(weekly_report)
    for code in LANGUAGES:
        for name in ("report.html", "summary.md", "key_account_review.xlsx"):
            assert (folder / code / name).stat().st_size > 1000, f"{code}/{name}"
        charts = sorted(p.stem for p in (folder / code / "charts").glob("*.png"))
        assert charts == sorted(ALL_CHARTS)
    # atomic publishing leaves nothing half-written behind
    assert [p.name for p in folder.parent.iterdir() if p.name.startswith(".")] == []
    assert weekly_report.warnings == [], "font warnings while drawing the charts"


def latest_report_week_label(report: RenderedReport) -> str:
    return report.folder.name


def test_every_png_is_a_real_image_of_sensible_size(weekly_report):
    from PIL import Image, ImageStat

    for path in weekly_report.folder.glob("*/charts/*.png"):
        width, height = png_size(path.read_bytes())
        assert 800 <= width <= 2400 and 400 <= height <= 1400, (path, width, height)
        with Image.open(path) as image:
            image.verify()
        with Image.open(path) as image:
            spread = ImageStat.Stat(image.convert("L")).stddev[0]
        assert spread > 10, f"{path} looks blank"


def test_html_parses_is_self_contained_and_embeds_every_chart(weekly_report):
    for code in LANGUAGES:
        html = parse(weekly_report.folder / code / "report.html")
        assert html.lang == ("zh-CN" if code == "zh" else "en")
        assert html.external == [], "the report must open offline from one file"
        assert sorted(img["data-chart"] for img in html.images) == sorted(ALL_CHARTS)
        for img in html.images:
            prefix = "data:image/png;base64,"
            assert img["src"].startswith(prefix)
            data = base64.b64decode(img["src"][len(prefix) :], validate=True)
            chart_file = weekly_report.folder / code / "charts" / f"{img['data-chart']}.png"
            assert data == chart_file.read_bytes()
            assert png_size(data) == (int(img["width"]), int(img["height"]))


# ---- numbers ----------------------------------------------------------------------------


def test_html_headline_numbers_equal_the_marts(weekly_report, clean_build):
    q = clean_build.query
    (as_of,) = q("select max(as_of_date) from marts.mart_run_parameters")[0]
    (key_accounts,) = q("select count(*) from marts.mart_account_tiers where is_key_account")[0]
    (revenue,) = q("select sum(window_revenue_cny) from marts.mart_account_tiers")[0]
    (high,) = q("select count(*) from marts.mart_account_risk where risk_level_code = 'high'")[0]
    (at_risk,) = q(
        "select count(*) from marts.mart_account_risk where risk_level_code in ('high', 'medium')"
    )[0]
    (win_rate,) = q(
        "select conversion_from_lead_rate from marts.mart_funnel_stages where stage_code = 'won'"
    )[0]
    (month_revenue,) = q(
        "select sum(revenue_cny) from marts.mart_kpi_monthly where month_start = "
        "(select max(month_start) from marts.mart_kpi_monthly where is_complete_month)"
    )[0]
    top_name = q(
        "select account_name from marts.mart_top_accounts "
        "where ranking_metric = 'revenue' and rank_position = 1"
    )[0][0]
    for code in LANGUAGES:
        path = weekly_report.folder / code / "report.html"
        html = parse(path)
        kpis = html.kpis
        assert kpis["as_of_date"] == str(as_of)[:10]
        assert int(kpis["key_account_count"]) == key_accounts
        assert html.kpi_text["key_account_count"] == f"{key_accounts:,}"
        assert float(kpis["window_revenue_cny"]) == pytest.approx(float(revenue), abs=0.005)
        assert int(kpis["high_risk_count"]) == high
        assert int(kpis["at_risk_count"]) == at_risk
        assert float(kpis["win_rate"]) == pytest.approx(float(win_rate))
        assert html.kpi_text["win_rate"] == f"{float(win_rate) * 100:.1f}%"
        assert float(kpis["last_month_revenue_cny"]) == pytest.approx(
            float(month_revenue), abs=0.005
        )
        assert html.tables["at_risk"] == at_risk
        assert top_name in path.read_text(encoding="utf-8")
    zh = parse(weekly_report.folder / "zh" / "report.html")
    assert zh.kpi_text["window_revenue_cny"] == f"{float(revenue) / 1e4:,.1f}万元"


# KPI card -> how its value is formatted (Lang's method); the value is the headline mart's
KPI_FORMATS = {
    "key_account_count": "count", "window_revenue_cny": "money",
    "key_account_revenue_share": "pct", "key_account_margin_share": "pct",
    "avg_revenue_per_key_account": "money", "aov_cny": "money", "gross_margin_pct": "pct",
    "last_month_revenue_cny": "money", "at_risk_count": "count", "win_rate": "pct",
    "collection_rate_12m": "pct", "satisfaction_avg_12m": "decimal",
}  # fmt: skip


def mart_rows(ws, sql: str) -> list[dict]:
    with duckdb.connect(str(ws.settings.warehouse_path), read_only=True) as conn:
        return conn.execute(sql).df().to_dict("records")


def test_every_number_in_the_report_is_a_mart_value(weekly_report, clean_build):
    """The headline cards (values, sub-lines, data-value), the monthly, quarterly, top and
    at-risk tables of the HTML and the KPI table of the Markdown summary print mart
    columns, formatted: nothing the report shows is computed outside dbt."""
    (kpis,) = mart_rows(clean_build, "select * from marts.mart_report_headline")
    months = mart_rows(
        clean_build, "select * from marts.mart_kpi_monthly_totals order by month_start desc"
    )
    quarters = mart_rows(
        clean_build, "select * from marts.mart_kpi_quarterly order by quarter_start desc"
    )
    at_risk = mart_rows(
        clean_build, "select * from marts.mart_report_at_risk_accounts order by at_risk_rank"
    )
    top = {
        metric: mart_rows(
            clean_build,
            "select * from marts.mart_top_accounts "
            f"where ranking_metric = '{metric}' order by rank_position",
        )
        for metric in ("revenue", "gross_profit")
    }
    for code in LANGUAGES:
        lang = Lang(code)
        html = parse(weekly_report.folder / code / "report.html")
        for name, kind in KPI_FORMATS.items():
            assert html.kpi_text[name] == getattr(lang, kind)(kpis[name]), name
            assert float(html.kpis[name]) == pytest.approx(float(kpis[name]), rel=1e-12), name
        assert html.kpi_sub["key_account_count"] == lang.t(
            "kpi_key_account_count_sub", vip=kpis["vip_count"], key=kpis["key_tier_count"]
        )
        assert html.kpi_sub["at_risk_count"] == lang.t(
            "kpi_at_risk_sub", high=kpis["high_risk_count"],
            medium=kpis["medium_risk_count"], key=kpis["key_at_risk_count"],
        )  # fmt: skip
        assert html.kpi_sub["last_month_revenue_cny"] == lang.t(
            "kpi_last_month_sub",
            mom=lang.pct(kpis["last_month_mom_pct"], signed=True),
            yoy=lang.pct(kpis["last_month_yoy_pct"], signed=True),
        )
        assert html.kpi_sub["key_account_revenue_share"] == lang.money(
            kpis["key_account_revenue_cny"]
        )
        assert html.kpi_sub["key_account_margin_share"] == lang.money(
            kpis["key_account_margin_cny"]
        )

        monthly = html.rows["monthly"]
        assert len(monthly) == min(13, len(months))
        for cells, row in zip(monthly, months, strict=False):
            assert cells[0].startswith(lang.month(row["month_start"].date()))
            assert cells[1:] == [
                lang.amount(row["revenue_cny"]),
                lang.pct(row["revenue_mom_pct"], signed=True),
                lang.pct(row["revenue_yoy_pct"], signed=True),
                lang.pct(row["key_account_revenue_share"]),
                lang.count(row["order_count"]),
            ]
        quarterly = html.rows["quarterly"]
        assert len(quarterly) == len(quarters)
        for cells, row in zip(quarterly, quarters, strict=True):
            assert cells[0].split()[0] == row["quarter_label"]
            assert (len(cells[0].split()) == 1) == row["is_complete_quarter"]
            assert cells[1:] == [
                lang.amount(row["revenue_cny"]),
                lang.pct(row["revenue_qoq_pct"], signed=True),
                lang.pct(row["revenue_yoy_pct"], signed=True),
                lang.pct(row["key_account_revenue_share"]),
            ]
        for metric, rows in top.items():
            cells = html.rows[f"top_{metric}"]
            assert [c[0] for c in cells] == [str(r["rank_position"]) for r in rows]
            assert [c[4:] for c in cells] == [
                [lang.amount(r["metric_value_cny"]), lang.pct(r["metric_share_of_total"]),
                 lang.pct(r["gross_margin_pct"])]
                for r in rows
            ]  # fmt: skip
        cells = html.rows["at_risk"]
        assert [(c[4], c[5]) for c in cells] == [
            (lang.count(r["risk_score"]), lang.amount(r["window_revenue_cny"])) for r in at_risk
        ]

        summary = (weekly_report.folder / code / "summary.md").read_text(encoding="utf-8")
        for name in ("key_account_count", "window_revenue_cny", "key_account_revenue_share",
                     "key_account_margin_share", "avg_revenue_per_key_account", "win_rate",
                     "collection_rate_12m"):  # fmt: skip
            label = lang.t(
                "kpi_collection_rate" if name == "collection_rate_12m" else f"kpi_{name}"
            )
            formatted = getattr(lang, KPI_FORMATS[name])(kpis[name])
            assert f"| {label} | {formatted} |" in summary, name
        assert f"| {kpis['at_risk_count']} (" in summary


def test_analytics_sections_appear_in_both_languages(weekly_report):
    """Clusters (charts and table), the forecast with its interval, the backtests and the
    win-back count: in the HTML and the summary of both languages."""
    for code in LANGUAGES:
        lang = Lang(code)
        text = (weekly_report.folder / code / "report.html").read_text(encoding="utf-8")
        html = parse(weekly_report.folder / code / "report.html")
        for section in ("clusters", "forecast", "backtests"):
            assert f'<section id="{section}">' in text, section
        for key in ("sec_clusters", "sec_forecast", "sec_backtests", "cluster_table",
                    "forecast_table", "risk_backtest_table", "model_backtest_table",
                    "review_cross_sell_note"):  # fmt: skip
            assert unescape(lang.t(key)) in unescape(text), (code, key)
        assert "data-not-available" not in text, "the sample build has every analytics table"
        for name in ANALYTICS_CHARTS:
            path = weekly_report.folder / code / "charts" / f"{name}.png"
            assert path.stat().st_size > 10_000, path
        assert html.rows["clusters"] and html.rows["forecast"]
        assert html.rows["risk_backtest"] and html.rows["model_backtests"]
        assert 'data-risk-backtest="headline"' in text
        summary = (weekly_report.folder / code / "summary.md").read_text(encoding="utf-8")
        for key in ("sec_clusters", "sec_forecast", "sec_backtests"):
            assert f"## {lang.t(key)}" in summary, (code, key)


def test_analytics_and_backtest_numbers_equal_the_marts(weekly_report, clean_build):
    """The clusters, forecast, risk backtest and model backtest tables, the backtest headline
    and the win-back count print mart values, selected and formatted, nothing computed."""
    (kpis,) = mart_rows(clean_build, "select * from marts.mart_report_headline")
    (win_back,) = clean_build.query("select count(*) from marts.mart_account_win_back")[0]
    assert kpis["win_back_count"] == win_back
    clusters = mart_rows(
        clean_build, "select * from marts.mart_cluster_profiles order by sort_order, cluster_id"
    )
    forecast = mart_rows(
        clean_build,
        "select * from marts.mart_revenue_forecast where row_type = 'forecast' "
        "order by region_sort_order, region_code, month_start",
    )
    models = mart_rows(
        clean_build,
        "select * from marts.mart_model_backtests order by model_name, metric_name, baseline_name",
    )
    levels = "group_type = 'level' and group_code in ('high', 'high_or_medium')"
    latest = mart_rows(
        clean_build,
        f"select * from marts.mart_risk_backtest where {levels} and scope = 'snapshot' "
        "and horizon_days = 90 and snapshot_index = (select min(snapshot_index) from "
        "marts.mart_risk_backtest where scope = 'snapshot' and horizon_days = 90) "
        "order by group_sort_order",
    )
    pooled = mart_rows(
        clean_build,
        f"select * from marts.mart_risk_backtest where {levels} and scope = 'overall' "
        "order by horizon_days, group_sort_order",
    )
    assert latest and pooled and models and clusters and forecast
    high = next(r for r in latest if r["group_code"] == "high")
    for code in LANGUAGES:
        lang = Lang(code)
        html = parse(weekly_report.folder / code / "report.html")
        assert int(html.kpis["win_back_count"]) == kpis["win_back_count"]
        assert [c[:4] for c in html.rows["clusters"]] == [
            [str(r["cluster_id"]), r[f"cluster_name_{code}"], lang.count(r["account_count"]),
             lang.pct(r["account_share"])]
            for r in clusters
        ]  # fmt: skip
        assert [c[1:2] + c[3:] for c in html.rows["forecast"]] == [
            [lang.forecast_method(r["method"]), lang.amount(r["revenue_cny"]),
             lang.amount(r["lower_cny"]), lang.amount(r["upper_cny"])]
            for r in forecast
        ]  # fmt: skip
        assert [c[1:] for c in html.rows["risk_backtest"]] == [
            [lang.count(r["horizon_days"]),
             lang.t("level_high_or_medium") if r["group_code"] == "high_or_medium"
             else lang.risk_level(r["group_code"]),
             lang.count(r["flagged_account_count"]), lang.pct(r["flagged_share"]),
             lang.pct(r["churn_rate_flagged"]), lang.pct(r["base_churn_rate"]),
             lang.pct(r["churn_rate_reference"]), lang.pct(r["recall"]),
             lang.decimal(r["lift_vs_base"]), lang.decimal(r["lift_vs_reference"]),
             lang.decimal(r["auc_risk_score"], 3),
             lang.decimal(r["auc_days_since_last_order"], 3)]
            for r in latest + pooled
        ]  # fmt: skip
        assert [c[:8] for c in html.rows["model_backtests"]] == [
            [r["model_name"], lang.metric(r["metric_name"]), r["baseline_name"],
             lang.backtest_value(r["metric_name"], r["model_value"]),
             lang.backtest_value(r["metric_name"], r["baseline_value"]),
             lang.improvement(r["metric_name"], r["relative_improvement"]),
             lang.yes_no(r["model_beats_baseline"]), lang.count(r["n_observations"])]
            for r in models
        ]  # fmt: skip
        headline_text = lang.t(
            "risk_backtest_headline",
            n=lang.count(high["flagged_account_count"]),
            date=high["snapshot_date"].date(),
            rate=lang.pct(high["churn_rate_flagged"]),
            days=high["horizon_days"],
            base=lang.pct(high["base_churn_rate"]),
            reference=lang.pct(high["churn_rate_reference"]),
            lift=lang.decimal(high["lift_vs_base"]),
        )
        text = (weekly_report.folder / code / "report.html").read_text(encoding="utf-8")
        assert headline_text in unescape(text)
        summary = (weekly_report.folder / code / "summary.md").read_text(encoding="utf-8")
        assert headline_text in summary


def test_the_report_states_the_marts_as_of_date_against_the_week(weekly_report, clean_build):
    from ka_pipeline.report.weeks import ReportWeek

    (as_of,) = clean_build.query("select max(as_of_date) from marts.mart_run_parameters")[0]
    as_of = as_of.date() if hasattr(as_of, "date") else as_of
    week = ReportWeek.parse(weekly_report.folder.name)
    assert week == ReportWeek.latest_complete(as_of)
    text = (weekly_report.folder / "en" / "report.html").read_text(encoding="utf-8")
    assert f'data-as-of="{as_of}" data-week-end="{week.sunday}"' in text
    text = unescape(text)
    if as_of != week.sunday:
        assert f"the marts were built as of {as_of}, not as of this week's last day" in text
    else:
        assert "The marts are as of the week's last day." in text


def test_changes_since_last_week_list_the_planted_differences(weekly_report):
    planted = weekly_report.planted
    for code in LANGUAGES:
        html = parse(weekly_report.folder / code / "report.html")
        assert html.change_accounts["new_key_accounts"] == [planted.new_key]
        assert html.change_accounts["dropped_key_accounts"] == [planted.dropped_key]
        assert sorted(html.change_accounts["tier_moves"]) == sorted(
            [planted.new_key, planted.dropped_key]
        )
        assert html.change_accounts["newly_at_risk"] == [planted.newly_at_risk]
        assert html.change_accounts["recovered"] == [planted.recovered]
        assert html.changes["newly_at_risk"] == 1


# ---- the review workbook ----------------------------------------------------------------


def test_review_workbook_has_the_mart_columns_sheets_and_formats(weekly_report, clean_build):
    from openpyxl import load_workbook

    review_columns = [
        row[0]
        for row in clean_build.query(
            "select column_name from information_schema.columns where table_schema = 'marts' "
            "and table_name = 'mart_key_account_review' order by ordinal_position"
        )
    ]
    sources = {c.source for c in REVIEW_COLUMNS}
    assert [c for c in review_columns if c not in sources and c not in PAIRED] == []
    (rows,) = clean_build.query("select count(*) from marts.mart_key_account_review")[0]
    regions = {
        code: sorted(r[0] for r in clean_build.query(
            f"select distinct r.region_name_{code} from marts.mart_key_account_review k "
            "join (select distinct region_code, region_name_zh, region_name_en "
            "from marts.mart_kpi_monthly) r using (region_code)"
        ))
        for code in LANGUAGES
    }  # fmt: skip
    for index, code in enumerate(LANGUAGES):
        workbook = load_workbook(weekly_report.folder / code / "key_account_review.xlsx")
        assert workbook.sheetnames == [SHEET_ALL[index], *regions[code], SHEET_NOTES[index]]
        headers = [c.zh if code == "zh" else c.en for c in REVIEW_COLUMNS]
        total = 0
        for name in workbook.sheetnames[:-1]:
            sheet = workbook[name]
            assert [cell.value for cell in sheet[1]] == headers
            assert sheet.freeze_panes == "C2"
            if name != SHEET_ALL[index]:
                total += sheet.max_row - 1
        everything = workbook[SHEET_ALL[index]]
        assert everything.max_row - 1 == rows
        assert total == rows  # every key account on exactly one region sheet
        column = {c.source: i + 1 for i, c in enumerate(REVIEW_COLUMNS)}
        assert everything.cell(2, column["window_revenue_cny"]).number_format == "#,##0"
        assert everything.cell(2, column["repurchase_rate"]).number_format == "0.0%"
        assert everything.cell(2, column["first_order_date"]).number_format == "yyyy-mm-dd"
        actions = [everything.cell(r, column["action_name"]).value for r in range(2, rows + 2)]
        assert all(actions), "every key account has a recommended action"
        priorities = [everything.cell(r, 1).value for r in range(2, rows + 2)]
        assert priorities == sorted(priorities)


# ---- Dagster ----------------------------------------------------------------------------


def test_materialization_carries_summary_previews_and_paths(weekly_report):
    with DagsterInstance.from_config(str(weekly_report.instance_home)) as instance:
        event = instance.get_latest_materialization_event(WEEKLY_REPORT_KEY)
    assert event is not None and event.run_id == weekly_report.run_id
    materialization = event.asset_materialization
    assert materialization.partition == weekly_partition_key(weekly_report)
    metadata = materialization.metadata
    summary = metadata["summary"].value
    assert summary.count("](data:image/png;base64,") == len(ALL_CHARTS)
    assert len(summary) < 500_000, "previews must stay small"
    for code in LANGUAGES:
        assert Path(metadata[f"html_{code}"].value).is_file()
        assert Path(metadata[f"xlsx_{code}"].value).is_file()
    assert metadata["previous_snapshot"].value != "none"


def weekly_partition_key(report: RenderedReport) -> str:
    from ka_pipeline.report.weeks import ReportWeek

    return ReportWeek.parse(report.folder.name).partition_key


def test_report_step_takes_seconds(weekly_report):
    assert weekly_report.seconds < 60, f"report step took {weekly_report.seconds:.1f} s"


def test_report_deps_are_the_mart_assets():
    settings = Settings.from_env({})
    asset = build_weekly_report_asset(weekly_partitions(settings), settings.timezone)
    deps = set(asset.asset_deps[WEEKLY_REPORT_KEY])
    assert deps and all(k.path[0] == "marts" for k in deps)
    assert AssetKey(["marts", "mart_key_account_review"]) in deps
    assert asset.specs_by_key[WEEKLY_REPORT_KEY].group_name == "reports"
    assert set(asset.specs_by_key[WEEKLY_REPORT_KEY].kinds) == {"python", "pandas", "matplotlib"}


def test_a_failed_render_leaves_the_previous_report_untouched(
    weekly_report, clean_build, monkeypatch, tmp_path
):
    import ka_pipeline.report.charts as charts
    from ka_pipeline.report.build import build_weekly_report
    from ka_pipeline.report.weeks import ReportWeek

    week = ReportWeek.parse(weekly_report.folder.name)
    before = {p: p.stat().st_mtime_ns for p in weekly_report.folder.rglob("*") if p.is_file()}

    def broken(*args, **kwargs):
        raise RuntimeError("chart failed")

    monkeypatch.setattr(charts, "render_charts", broken)
    with pytest.raises(RuntimeError, match="chart failed"):
        build_weekly_report(
            warehouse_path=clean_build.settings.warehouse_path,
            output_dir=weekly_report.folder.parent.parent,
            week=week,
        )
    after = {p: p.stat().st_mtime_ns for p in weekly_report.folder.rglob("*") if p.is_file()}
    assert after == before
    assert [p.name for p in weekly_report.folder.parent.iterdir() if p.name.startswith(".")] == []
