"""Raw suites on real delivered files: a generated sample loaded by the real loader into a
real DuckDB file, validated with real GX. A clean delivery passes; each defect fails the
named expectation of the named suite, with counts, samples and the file / row."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest
from conftest import raw_suite as suite

from ka_pipeline.extract.errors import LandingFileError
from ka_pipeline.extract.loader import Delivery, expected_deliveries, load_deliveries
from ka_pipeline.landing.contract import ENTITIES, ENTITIES_BY_KEY
from ka_pipeline.quality.frames import read_batch
from ka_pipeline.quality.suites import load_suites

START, END = date(2024, 2, 1), date(2024, 4, 30)
MONDAY = date(2024, 4, 29)  # ~25 orders at scale 1: enough rows to block
WEEK = (date(2024, 4, 22), date(2024, 4, 26))  # a working week: ~30 surveys


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> tuple[Path, Path]:
    """(landing dir, warehouse file) of a clean three-month sample at scale 1."""
    from ka_pipeline.generator import generate

    root = tmp_path_factory.mktemp("raw_quality")
    landing = root / "landing"
    generate(landing, start=START, end=END, seed=11, scale=1.0, defects=0.0)
    days = [START + timedelta(days=i) for i in range((END - START).days + 1)]
    warehouse = root / "warehouse.duckdb"
    with duckdb.connect(str(warehouse)) as conn:
        for entity in ENTITIES:
            deliveries = expected_deliveries(entity, landing, days if entity.daily else None)
            load_deliveries(conn, entity, deliveries, landing)
    return landing, warehouse


def validate(warehouse: Path, name: str, span: tuple[date, date] | None):
    """Validate the suite on the business days first .. last of `span`."""
    from ka_pipeline.quality.runner import validate as run

    days = None
    if span:
        days = [span[0] + timedelta(days=i) for i in range((span[1] - span[0]).days + 1)]
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        return run(suite(name), read_batch(conn, suite(name), days))


def redeliver(
    sample, warehouse: Path, key: str, day: date, edit: Callable[[list[str]], list[str]]
) -> None:
    """Re-send one day's file with `edit` applied to its lines, loaded by the real loader."""
    landing = warehouse.parent / "landing"
    entity = ENTITIES_BY_KEY[key]
    source, target = entity.path_for(sample[0], day), entity.path_for(landing, day)
    target.parent.mkdir(parents=True, exist_ok=True)
    lines = source.read_text(encoding="utf-8").splitlines()
    target.write_text("\n".join(edit(lines)) + "\n", encoding="utf-8")
    with duckdb.connect(str(warehouse)) as conn:
        load_deliveries(conn, entity, [Delivery(target, day)], landing)


def failed(result, column: str, severity: str):
    return [o for o in result.failed if o.column == column and o.severity == severity]


def test_a_clean_delivery_passes_every_raw_suite(warehouse):
    for raw_suite in load_suites(layer="raw"):
        for days in ((MONDAY, MONDAY), WEEK):
            result = validate(
                warehouse, raw_suite.name, days if raw_suite.batch == "partitions" else None
            )
            assert result.passed, f"{raw_suite.name} {days}: {result.summary()}"
            if raw_suite.batch == "partitions":
                assert not result.notes, result.notes  # 28 days of history: bounds applied


def test_orphan_orders_fail_the_orders_check(sample, warehouse):
    def orphan_30_percent(lines: list[str]) -> list[str]:
        header, rows = lines[0], lines[1:]
        cut = round(len(rows) * 0.3)
        orphaned = [
            ",".join([r.split(",")[0], f"A9{i:07d}", *r.split(",")[2:]])
            for i, r in enumerate(rows[:cut])
        ]
        return [header, *orphaned, *rows[cut:]]

    redeliver(sample, warehouse, "erp/orders", MONDAY, orphan_30_percent)
    result = validate(warehouse, "raw.erp__orders", (MONDAY, MONDAY))
    assert result.severity == "error"
    (error,) = result.errors
    assert error.column == "account_id__in_crm"
    assert error.unexpected_percent == pytest.approx(30, abs=3)
    assert error.samples[0].startswith("'A9")  # the delivered account ids, not True/False
    assert error.rows[0].startswith(f"erp/orders/orders_{MONDAY}.csv:1 (account_id='A9")
    assert "ERROR above 10 %" in error.why  # one rule: WARN above 1 %, ERROR above 10 %


def test_out_of_range_satisfaction_fails_the_surveys_check(sample, warehouse):
    def out_of_range(lines: list[str]) -> list[str]:
        return [
            line.replace('"satisfaction_score": ', '"satisfaction_score": 7, "x": ', 1)
            if i % 2 == 0
            else line
            for i, line in enumerate(lines)
        ]

    day = WEEK[0]
    while day <= WEEK[1]:
        redeliver(sample, warehouse, "feedback/surveys", day, out_of_range)
        day += timedelta(days=1)
    week = validate(warehouse, "raw.feedback__surveys", WEEK)
    (error,) = failed(week, "satisfaction_score__num", "error")
    assert "1 .. 5" in error.why and "max_value=5" in error.expected
    assert error.samples == ["'7'"] and error.unexpected_percent > 40
    # one day of ~8 surveys is too small a batch to block on a share: reported as a warning
    one_day = validate(warehouse, "raw.feedback__surveys", (WEEK[0], WEEK[0]))
    assert one_day.severity == "warn"
    assert any("too few to block" in (o.note or "") for o in one_day.warnings)


def test_a_dropped_column_fails_the_check(sample, warehouse):
    def drop_status(lines: list[str]) -> list[str]:
        return [",".join(line.split(",")[:5]) for line in lines]  # status is the last column

    redeliver(sample, warehouse, "erp/orders", MONDAY, drop_status)
    result = validate(warehouse, "raw.erp__orders", (MONDAY, MONDAY))
    (error,) = result.errors
    assert error.type == "expect_column_proportion_of_non_null_values_to_be_between"
    assert error.column == "status" and error.observed_value == 0
    # a column the contract requires fails the extraction itself, before any check
    with pytest.raises(LandingFileError, match="required column"):
        redeliver(
            sample, warehouse, "erp/orders", MONDAY, lambda ls: [",".join(ls[0].split(",")[2:])]
        )


def test_row_counts_are_compared_with_the_same_weekdays(sample, warehouse):
    redeliver(sample, warehouse, "erp/orders", MONDAY, lambda lines: lines[:1])  # header only
    empty = validate(warehouse, "raw.erp__orders", (MONDAY, MONDAY))
    assert [o.type for o in empty.errors] == ["expect_table_row_count_to_be_between"]
    assert empty.errors[0].observed_value == 0

    def five_fold(lines: list[str]) -> list[str]:  # new order ids, so only the count is off
        rows = lines[1:]
        return [lines[0], *rows, *(r.replace("-", f"-{k}", 1) for k in (6, 7, 8, 9) for r in rows)]

    redeliver(sample, warehouse, "erp/orders", MONDAY, five_fold)
    high = validate(warehouse, "raw.erp__orders", (MONDAY, MONDAY))
    assert high.severity == "warn"
    assert [o.type for o in high.warnings] == ["expect_table_row_count_to_be_between"]
