"""Weekly report building blocks without a warehouse: weeks, the schedule, fonts, i18n."""

from __future__ import annotations

import logging
import subprocess
import sys
import warnings
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pandas as pd
import pytest

from ka_pipeline.defs.partitions import weekly_partitions
from ka_pipeline.report.i18n import Lang
from ka_pipeline.report.state import PreviousSnapshot, compare
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


# ---- week-over-week comparison ----------------------------------------------------------


def _state(rows: list[tuple]) -> pd.DataFrame:
    columns = ["account_id", "account_name", "owner_rep_name", "value_tier_code",
               "is_key_account", "abc_class", "risk_level_code", "risk_score",
               "lifecycle_stage_code", "window_revenue_cny", "as_of_date"]  # fmt: skip
    return pd.DataFrame(rows, columns=columns)


def test_compare_finds_new_and_dropped_key_accounts_tier_moves_and_risk_changes():
    before = _state([
        ("A1", "甲", "r1", "potential", False, "B", "none", 0, "growth", 4e5, date(2024, 12, 22)),
        ("A2", "乙", "r1", "key", True, "A", "high", 80, "stable", 9e5, date(2024, 12, 22)),
        ("A3", "丙", "r2", "vip", True, "A", "low", 10, "stable", 3e6, date(2024, 12, 22)),
        ("A4", "丁", "r2", "key", True, "B", "none", 0, "decline", 6e5, date(2024, 12, 22)),
    ])  # fmt: skip
    now = _state([
        ("A1", "甲", "r1", "key", True, "B", "medium", 40, "growth", 6e5, date(2024, 12, 29)),
        ("A2", "乙", "r1", "key", True, "A", "low", 10, "stable", 9e5, date(2024, 12, 29)),
        ("A3", "丙", "r2", "vip", True, "A", "low", 10, "stable", 3e6, date(2024, 12, 29)),
        ("A4", "丁", "r2", "general", False, "C", "none", 0, "lost", 1e5, date(2024, 12, 29)),
        ("A5", "戊", "r3", "key", True, "B", "none", 0, "new", 5e5, date(2024, 12, 29)),
    ])  # fmt: skip
    changes = compare(now, PreviousSnapshot(ReportWeek.parse("2024-W51"), before))
    assert list(changes.new_key_accounts["account_id"]) == ["A1", "A5"]
    assert list(changes.dropped_key_accounts["account_id"]) == ["A4"]
    assert set(changes.tier_moves["account_id"]) == {"A1", "A4"}
    moves = changes.tier_moves
    assert dict(zip(moves["account_id"], moves["direction"], strict=True)) == {
        "A1": "up", "A4": "down",
    }  # fmt: skip
    assert list(changes.newly_at_risk["account_id"]) == ["A1"]
    assert list(changes.recovered["account_id"]) == ["A2"]
    assert not changes.same_as_of
    flow = changes.lifecycle_flow.set_index(["lifecycle_stage_code_prev", "lifecycle_stage_code"])
    assert flow.loc[("decline", "lost"), "accounts"] == 1

    first = compare(now, None)
    assert not first.has_previous and first.new_key_accounts.empty


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
