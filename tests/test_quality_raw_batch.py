"""Raw suites on a batch of many days: GX's result on the whole batch, rows left in DuckDB.

A two-month sample is loaded by the real loader into a real DuckDB file. Each raw suite is
validated as the pipeline does (schema and row count by GX on zero-row frames, non-null
proportions counted in SQL) and, as the reference, by real GX on one frame holding every
row of the batch. The outcomes must be the same, for defective data, a column emptied on
the last day, an undated export and a column the table lacks; an expectation without a
rule is refused by name.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest
from conftest import raw_suite as suite

from ka_pipeline.extract.loader import Delivery, expected_deliveries, load_deliveries
from ka_pipeline.landing.contract import ENTITIES_BY_KEY
from ka_pipeline.quality.batches import read_batch
from ka_pipeline.quality.frames import Batch, query_frame
from ka_pipeline.quality.results import judge
from ka_pipeline.quality.suites import load_suites

START, END = date(2024, 2, 1), date(2024, 3, 31)
DAYS = [START + timedelta(days=i) for i in range((END - START).days + 1)]
ENTITIES = ("crm/sales_reps", "crm/accounts", "erp/orders", "erp/order_lines", "erp/products")


def load_sample(root: Path, defects: float) -> tuple[Path, Path]:
    """(landing dir, warehouse) of the two months at scale 0.5, loaded by the real loader."""
    from ka_pipeline.generator import generate

    landing = root / "landing"
    generate(landing, start=START, end=END, seed=7, scale=0.5, defects=defects)
    warehouse = root / "warehouse.duckdb"
    with duckdb.connect(str(warehouse)) as conn:
        for key in ENTITIES:
            entity = ENTITIES_BY_KEY[key]
            deliveries = expected_deliveries(entity, landing, DAYS if entity.daily else None)
            load_deliveries(conn, entity, deliveries, landing)
    return landing, warehouse


@pytest.fixture(scope="module")
def defective(tmp_path_factory) -> tuple[Path, Path]:
    """5 % realistic defects: duplicates, re-sends, bad numbers, dates and labels."""
    return load_sample(tmp_path_factory.mktemp("raw_batch_defects"), 0.05)


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> tuple[Path, Path]:
    """No defects: the one a test adds is the only one."""
    return load_sample(tmp_path_factory.mktemp("raw_batch_clean"), 0.0)


def validate(warehouse: Path, name: str, days: list[date] | None = DAYS):
    from ka_pipeline.quality.runner import validate as run

    with duckdb.connect(str(warehouse), read_only=True) as conn:
        return run(suite(name), read_batch(conn, suite(name), days))


def validate_one_frame(warehouse: Path, name: str, days: list[date] | None = DAYS) -> list:
    """The reference: GX on one frame of every row of the batch, judged the same way."""
    from ka_pipeline.quality.runner import observe

    raw = suite(name)
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        batch = read_batch(conn, raw, days)
        where = "_partition_date in (select unnest(?))"
        where += " or _partition_date is null" if batch.undated_rows else ""
        frame = query_frame(conn, f"select * from {raw.table} where {where}", [list(days or [])])
    whole = Batch(frame, batch.parameters, batch.description, batch.days, [])
    outcomes = observe(raw, whole, list(range(len(raw.expectations))))
    return [judge(raw, o, len(frame)) for o in sorted(outcomes, key=lambda o: o.index)]


def redeliver(sample, warehouse: Path, key: str, day: date, lines: list[str]) -> None:
    """Re-send one day's file with `lines`, loaded by the real loader."""
    landing = warehouse.parent / "landing"
    entity = ENTITIES_BY_KEY[key]
    target = entity.path_for(landing, day)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with duckdb.connect(str(warehouse)) as conn:
        load_deliveries(conn, entity, [Delivery(target, day)], landing)


def delivered(sample, key: str, day: date) -> list[str]:
    path = ENTITIES_BY_KEY[key].path_for(sample[0], day)
    return path.read_text(encoding="utf-8").splitlines()


def comparable(outcomes) -> list[dict]:
    return [o.as_dict() | {"success": o.success, "index": o.index} for o in outcomes]


@pytest.mark.parametrize("name", ["raw.crm__accounts", "raw.erp__orders", "raw.erp__order_lines"])
def test_the_batch_gives_gx_result_on_one_frame(defective, name):
    result = validate(defective[1], name)
    reference = validate_one_frame(defective[1], name)
    assert result.rows > 0
    assert comparable(result.outcomes) == comparable(reference)


def test_a_column_emptied_on_the_last_day_counts_over_the_whole_batch(sample, warehouse):
    last = delivered(sample, "erp/orders", DAYS[-1])
    emptied = [last[0], *(",".join([*line.split(",")[:5], ""]) for line in last[1:])]
    redeliver(sample, warehouse, "erp/orders", DAYS[-1], emptied)
    result = validate(warehouse, "raw.erp__orders")
    status = next(o for o in result.outcomes if o.column == "status")
    assert status.success
    assert status.observed_value == pytest.approx(1 - (len(last) - 1) / result.rows)
    assert comparable(result.outcomes) == comparable(
        validate_one_frame(warehouse, "raw.erp__orders")
    )


def test_a_column_the_table_lacks_fails_in_gx_words(warehouse):
    with duckdb.connect(str(warehouse)) as conn:
        conn.execute("alter table raw.erp__orders drop column status")
    result = validate(warehouse, "raw.erp__orders")
    status = next(o for o in result.outcomes if o.column == "status")
    assert not status.success and status.severity == "error"
    assert status.exception == 'Error: The column "status" in BatchData does not exist.'
    assert not next(o for o in result.outcomes if o.type.startswith("expect_table_columns")).success
    assert comparable(result.outcomes) == comparable(
        validate_one_frame(warehouse, "raw.erp__orders")
    )


def test_every_raw_suite_has_a_rule_and_others_are_refused_by_name(warehouse, tmp_path):
    """Each expectation type of every `batch: partitions` suite has a rule here, the batch's
    row count is validated once, and a rule without one is refused by name."""
    from ka_pipeline.quality.raw_batch import ROW_COUNT_TYPES
    from ka_pipeline.quality.suites import load_suite

    with duckdb.connect(str(warehouse), read_only=True) as conn:
        for raw in load_suites(layer="raw"):
            if "/".join(raw.asset_key[1:]) in ENTITIES:  # the entities of the sample
                read_batch(conn, raw, DAYS)  # refuses an expectation it has no rule for
        orders = json.loads(suite("raw.erp__orders").path.read_text(encoding="utf-8"))
        orders["expectations"].append(
            {
                "type": "expect_column_values_to_not_be_null",
                "kwargs": {"column": "order_id"},
                "severity": "warning",
                "meta": {"why": "a map rule"},
            }
        )
        path = tmp_path / "orders_with_a_map_rule.json"
        path.write_text(json.dumps(orders), encoding="utf-8")
        with pytest.raises(ValueError, match=r"orders_with_a_map_rule\.json.*not_be_null"):
            read_batch(conn, load_suite(path), DAYS)
    result = validate(warehouse, "raw.erp__orders")
    (row_count, block) = [o for o in result.outcomes if o.type in ROW_COUNT_TYPES]
    assert row_count.observed_value == block.observed_value == result.rows


def test_an_undated_export_is_validated_row_by_row(sample, tmp_path):
    """One export file with no date in its name (the bring-your-own walkthrough's layout):
    its rows carry no business day, and every one of them is validated, whether the run
    names days (a partitioned run) or not (the latest load)."""
    lines = [line for day in DAYS for line in delivered(sample, "erp/orders", day)[1:]]
    header = delivered(sample, "erp/orders", DAYS[0])[0]
    emptied = len(lines) // 3  # the status of the first third is missing
    lines = [",".join([*line.split(",")[:5], ""]) for line in lines[:emptied]] + lines[emptied:]
    export = tmp_path / "landing" / "orders.csv"
    export.parent.mkdir()
    export.write_text("\n".join([header, *lines]) + "\n", encoding="utf-8")
    warehouse = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(warehouse)) as conn:
        entity = ENTITIES_BY_KEY["erp/orders"]
        load_deliveries(conn, entity, [Delivery(export, None)], export.parent)
    with_days = validate(warehouse, "raw.erp__orders")
    latest = validate(warehouse, "raw.erp__orders", None)
    assert with_days.rows == latest.rows == len(lines)
    assert "undated delivery" in with_days.description
    assert comparable(with_days.outcomes) == comparable(
        validate_one_frame(warehouse, "raw.erp__orders")
    )
    assert comparable(latest.outcomes) == comparable(with_days.outcomes)
    status = next(o for o in with_days.outcomes if o.column == "status")
    assert status.observed_value == pytest.approx(1 - emptied / len(lines))
    assert any("undated delivery" in note for note in with_days.notes)  # no per-day bounds


def test_an_empty_batch_says_it_checked_no_rows(sample):
    """Days without any delivered row: the check does not claim that rows passed."""
    days = [date(2030, 1, 1)]
    result = validate(sample[1], "raw.erp__orders", days)
    assert result.rows == 0 and result.summary().startswith("No rows to validate")
    assert comparable(result.outcomes) == comparable(
        validate_one_frame(sample[1], "raw.erp__orders", days)
    )
