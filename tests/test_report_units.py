"""Weekly report building blocks without a warehouse: weeks, the schedule, fonts, i18n.

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
from dagster import (
    AssetKey,
    AssetMaterialization,
    DagsterInstance,
    SkipReason,
    build_schedule_context,
    instance_for_test,
    job,
    op,
)
from dagster._core.storage.tags import (
    ASSET_PARTITION_RANGE_END_TAG,
    ASSET_PARTITION_RANGE_START_TAG,
)

from ka_pipeline.defs.reports.partitions import weekly_partitions
from ka_pipeline.defs.reports.schedules import weekly_report_schedule
from ka_pipeline.report.i18n import Lang
from ka_pipeline.report.weeks import ReportWeek

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
    keys = weekly_partitions.get_partition_keys(current_time=MONDAY_MORNING)
    assert all(date.fromisoformat(k).weekday() == 0 for k in keys)
    assert keys[-1] == "2024-12-23"  # the week just ended is the newest partition
    window = weekly_partitions.time_window_for_partition_key("2024-12-23")
    assert window.start == datetime(2024, 12, 23, tzinfo=SHANGHAI)
    assert window.end == datetime(2024, 12, 30, tzinfo=SHANGHAI)


# ---- the Monday schedule ----------------------------------------------------------------


@op
def _noop():
    return None


@job(name="full_build")
def _fake_full_build():
    _noop()


@op
def _boom():
    raise RuntimeError("nightly failed")


@job(name="full_build")
def _failing_full_build():
    _boom()


def evaluate(instance: DagsterInstance):
    context = build_schedule_context(instance=instance, scheduled_execution_time=MONDAY_MORNING)
    return weekly_report_schedule(context)


def test_schedule_skips_without_a_successful_nightly_run_for_the_sunday():
    with instance_for_test() as instance:
        result = evaluate(instance)
        assert isinstance(result, SkipReason)
        assert "2024-W52" in result.skip_message and "2024-12-29" in result.skip_message
        # a failed nightly run of that Sunday does not count either
        _failing_full_build.execute_in_process(
            instance=instance, tags={"ka/business_day": "2024-12-29"}, raise_on_error=False
        )
        # nor does a successful one for another day
        _fake_full_build.execute_in_process(
            instance=instance, tags={"ka/business_day": "2024-12-28"}
        )
        assert isinstance(evaluate(instance), SkipReason)


def test_schedule_requests_last_week_once_the_sundays_nightly_run_succeeded():
    with instance_for_test() as instance:
        _fake_full_build.execute_in_process(
            instance=instance, tags={"ka/business_day": "2024-12-29"}
        )
        request = evaluate(instance)
        assert request.partition_key == "2024-12-23"
        assert request.run_key == "weekly-report-2024-W52"
        assert request.tags["ka/report_week"] == "2024-W52"
    assert weekly_report_schedule.cron_schedule == "0 7 * * 1"
    assert weekly_report_schedule.execution_timezone == "Asia/Shanghai"


def test_schedule_accepts_a_range_run_or_an_orders_materialization_after_the_sunday():
    with instance_for_test() as instance:
        # a backfill of month partitions covering December (started after Dec 29 ended)
        _fake_full_build.execute_in_process(
            instance=instance,
            tags={
                ASSET_PARTITION_RANGE_START_TAG: "2023-07-01",
                ASSET_PARTITION_RANGE_END_TAG: "2024-12-01",
            },
        )
        assert evaluate(instance).partition_key == "2024-12-23"
    with instance_for_test() as instance:
        instance.report_runless_asset_event(
            AssetMaterialization(
                asset_key=AssetKey(["raw", "erp", "orders"]), partition="2024-12-01"
            )
        )
        assert evaluate(instance).partition_key == "2024-12-23"


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
    code = "import sys, ka_pipeline.defs.reports; sys.exit(1 if 'matplotlib' in sys.modules else 0)"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True).returncode == 0
