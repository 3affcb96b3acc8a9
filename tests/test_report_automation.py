"""The weekly report's declarative automation, evaluated on a real Dagster instance.

The condition of `reports/weekly_report` (`weekly_report_condition`) is applied to a toy
weekly asset that reads one toy mart with a blocking check, so each of its parts is driven
on purpose: the Monday tick, the mart rebuilt after it, the check passing or failing.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from dagster import (
    AssetCheckResult,
    AssetKey,
    DagsterInstance,
    Definitions,
    MaterializeResult,
    asset,
    asset_check,
    evaluate_automation_conditions,
    materialize,
)

from ka_pipeline.defs.partitions import weekly_partitions
from ka_pipeline.defs.report.assets import WEEKLY_REPORT_CRON, weekly_report_condition
from ka_pipeline.settings import Settings

SHANGHAI = ZoneInfo("Asia/Shanghai")
MART = AssetKey(["marts", "toy_mart"])
REPORT = AssetKey(["reports", "toy_report"])
WEEK_2024_W52 = "2024-12-23"  # Monday of the week that ends Sunday 2024-12-29


def definitions(check_passes: bool) -> tuple[Definitions, list]:
    """The toy code location, and what the nightly run materializes (the mart, its check)."""
    settings = Settings.from_env({})

    @asset(key=MART)
    def toy_mart() -> MaterializeResult:
        return MaterializeResult()

    @asset_check(asset=MART, blocking=True)
    def rows_are_valid() -> AssetCheckResult:
        return AssetCheckResult(passed=check_passes)

    @asset(
        key=REPORT,
        deps=[MART],
        partitions_def=weekly_partitions(settings),
        automation_condition=weekly_report_condition(settings.timezone),
    )
    def toy_report() -> None:
        return None

    defs = Definitions(assets=[toy_mart, toy_report], asset_checks=[rows_are_valid])
    return defs, [toy_mart, rows_are_valid]


def at(day: int, hour: int) -> datetime:
    return datetime(2024, 12, day, hour, 0, tzinfo=SHANGHAI)


def requested(defs: Definitions, instance: DagsterInstance, when: datetime, cursor=None):
    result = evaluate_automation_conditions(
        defs=defs, instance=instance, evaluation_time=when, cursor=cursor
    )
    return result, result.get_requested_partitions(REPORT)


def test_the_report_waits_for_the_marts_rebuilt_after_the_monday_tick():
    assert WEEKLY_REPORT_CRON == "0 1 * * 1"  # before the 02:00 nightly run of the Sunday
    defs, nightly = definitions(check_passes=True)
    with DagsterInstance.ephemeral() as instance:
        # Monday 00:30, before the tick: nothing
        result, partitions = requested(defs, instance, at(30, 0))
        assert partitions == set()
        # after the tick, but the marts are still last week's: nothing
        result, partitions = requested(defs, instance, at(30, 1), result.cursor)
        assert partitions == set()
        # the nightly run rebuilds the mart and its blocking check passes: last week
        assert materialize(nightly, instance=instance).success
        result, partitions = requested(defs, instance, at(30, 3), result.cursor)
        assert partitions == {WEEK_2024_W52}


def test_a_failed_blocking_check_on_a_mart_holds_the_report():
    defs, nightly = definitions(check_passes=False)
    with DagsterInstance.ephemeral() as instance:
        result, _ = requested(defs, instance, at(30, 1))
        materialize(nightly, instance=instance, raise_on_error=False)
        result, partitions = requested(defs, instance, at(30, 3), result.cursor)
        assert partitions == set()
        # the mart rebuilt with a passing check the next night: the report follows
        passing, nightly = definitions(check_passes=True)
        materialize(nightly, instance=instance)
        result, partitions = requested(passing, instance, at(31, 3), result.cursor)
        assert partitions == {WEEK_2024_W52}
