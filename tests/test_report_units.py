"""Weekly report building blocks without a warehouse: weeks, fonts, i18n.

The week-over-week comparison is SQL now (mart_report_account_changes): its cases are dbt
unit tests (models/marts/report/_report__unit_tests.yml), run by `dbt build`."""

from __future__ import annotations

import logging
import subprocess
import sys
import warnings
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from ka_pipeline.defs.partitions import weekly_partitions
from ka_pipeline.report.i18n import Lang
from ka_pipeline.report.weeks import ReportWeek
from ka_pipeline.settings import Settings

SHANGHAI = ZoneInfo("Asia/Shanghai")
MONDAY_MORNING = datetime(2024, 12, 30, 7, 0, tzinfo=SHANGHAI)  # after 2024-W52 (Dec 23-29)


# ---- weeks and partitions ---------------------------------------------------------------


def test_report_weeks_are_iso_weeks_starting_monday():
    week = ReportWeek.parse("2024-W52")
    assert (week.monday, week.sunday) == (date(2024, 12, 23), date(2024, 12, 29))
    assert ReportWeek.parse("2024-12-27") == week
    assert week.partition_key == "2024-12-23"
    assert week.previous.label == "2024-W51"
    # ISO years: 2024-12-30 belongs to 2025-W01
    assert ReportWeek.parse("2024-12-31").label == "2025-W01"
    # the latest complete week for an as-of date: the Sunday itself, or the Sunday before
    assert ReportWeek.latest_complete(date(2024, 12, 29)) == week
    assert ReportWeek.latest_complete(date(2024, 12, 30)) == week
    assert ReportWeek.latest_complete(date(2025, 1, 4)) == week
    with pytest.raises(ValueError):
        ReportWeek(date(2024, 12, 24))


def test_weekly_partitions_start_monday_in_business_timezone():
    weeks = weekly_partitions(Settings.from_env({}))
    keys = weeks.get_partition_keys(current_time=MONDAY_MORNING)
    assert all(date.fromisoformat(k).weekday() == 0 for k in keys)
    assert keys[-1] == "2024-12-23"  # the week just ended is the newest partition
    window = weeks.time_window_for_partition_key("2024-12-23")
    assert window.start == datetime(2024, 12, 23, tzinfo=SHANGHAI)
    assert window.end == datetime(2024, 12, 30, tzinfo=SHANGHAI)


# ---- language and fonts -----------------------------------------------------------------


def test_language_texts_and_number_formats():
    zh, en = Lang("zh"), Lang("en")
    assert zh.money(12_345_678) == "1,234.6万元"
    assert en.money(12_345_678) == "CNY 12.35 m"
    assert zh.pct(0.1234) == en.pct(0.1234) == "12.3%"
    assert en.pct(-0.05, signed=True) == "-5.0%"
    assert zh.t("title") == "大客户销售周报" and en.t("title").startswith("Key-account")
    assert zh.pick({"x_zh": "华东", "x_en": "East"}, "x") == "华东"
    assert en.pick({"x_zh": "华东", "x_en": None}, "x") == "华东"  # falls back
    with pytest.raises(ValueError):
        Lang("fr")


def test_chinese_renders_with_the_bundled_cjk_font_without_warnings():
    from matplotlib import rc_context
    from matplotlib.figure import Figure

    from ka_pipeline.report.charts import style
    from ka_pipeline.report.fonts import cjk_font_path, register_cjk_font

    assert cjk_font_path().is_file()
    family = register_cjk_font()
    assert "CJK" in family or "Hei" in family
    records: list[logging.LogRecord] = []
    handler = logging.Handler()
    handler.emit = records.append  # type: ignore[method-assign]
    logging.getLogger("matplotlib").addHandler(handler)
    try:
        with warnings.catch_warnings(), rc_context(style(family)):
            warnings.simplefilter("error")  # a missing glyph is a UserWarning: fail on it
            fig = Figure(figsize=(4, 2))
            ax = fig.subplots()
            ax.set_title("华东 大客户收入 · 上海联昌实业集团有限公司 −5%")
            ax.bar(["华北", "East"], [1, 2])
            fig.savefig(__import__("io").BytesIO(), format="png")
    finally:
        logging.getLogger("matplotlib").removeHandler(handler)
    assert [r.getMessage() for r in records if r.levelno >= logging.WARNING] == []


def test_report_definitions_do_not_import_matplotlib():
    code = "import sys, ka_pipeline.defs.report; sys.exit(1 if 'matplotlib' in sys.modules else 0)"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True).returncode == 0
