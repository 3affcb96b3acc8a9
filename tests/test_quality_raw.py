"""Raw suites on real delivered files: a generated sample loaded by the real loader into a
real DuckDB file, validated with real GX. They check the delivery as delivered (columns,
row counts, values present), before dbt: a clean delivery passes; a dropped column or an
empty delivery fails with ERROR. Rules on typed values: tests/test_quality_delivered.py."""

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
from ka_pipeline.quality.batches import read_batch
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


def test_a_clean_delivery_passes_every_raw_suite(warehouse):
    for raw_suite in load_suites(layer="raw"):
        for days in ((MONDAY, MONDAY), WEEK):
            result = validate(
                warehouse, raw_suite.name, days if raw_suite.batch == "partitions" else None
            )
            assert result.passed, f"{raw_suite.name} {days}: {result.summary()}"
            if raw_suite.batch == "partitions":
                assert not result.notes, result.notes  # 28 days of history: bounds applied


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
