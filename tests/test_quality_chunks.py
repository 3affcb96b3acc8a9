"""Raw suites validated in chunks of business days give the batch's result, not a chunk's.

A two-month sample is loaded by the real loader into a real DuckDB file and validated with
real GX twice: as one frame (a chunk budget larger than the batch) and in chunks. Observed
values and severities must be the same; a column emptied on the last day counts over the
whole batch; an expectation without a merge rule is refused by name.
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
from ka_pipeline.quality.frames import LINEAGE_COLUMNS
from ka_pipeline.quality.suites import load_suites

START, END = date(2024, 2, 1), date(2024, 3, 31)
DAYS = [START + timedelta(days=i) for i in range((END - START).days + 1)]
ENTITIES = ("crm/sales_reps", "crm/accounts", "erp/orders", "erp/order_lines", "erp/products")
ONE_FRAME = 10**9
SMALL = 150  # rows: several chunks of the two months


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
    return load_sample(tmp_path_factory.mktemp("chunks_defects"), 0.05)


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> tuple[Path, Path]:
    """No defects: the one a test adds is the only one."""
    return load_sample(tmp_path_factory.mktemp("chunks_clean"), 0.0)


def validate(warehouse: Path, name: str, chunk_rows: int):
    from ka_pipeline.quality.runner import validate as run

    with duckdb.connect(str(warehouse), read_only=True) as conn:
        return run(suite(name), read_batch(conn, suite(name), DAYS, chunk_rows=chunk_rows))


def two_chunks(warehouse: Path, table: str) -> int:
    """A budget that cuts the batch in two chunks."""
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        total, largest_day = conn.execute(
            f"select sum(n), max(n) from (select count(*) n from {table} group by _partition_date)"
        ).fetchone()
    return total // 2 + largest_day


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


def comparable(result) -> list[dict]:
    return [o.as_dict() | {"success": o.success, "index": o.index} for o in result.outcomes]


@pytest.mark.parametrize("name", ["raw.erp__orders", "raw.erp__order_lines"])
def test_chunks_give_the_result_of_one_frame(defective, name):
    warehouse = defective[1]
    table = suite(name).table
    whole = validate(warehouse, name, ONE_FRAME)
    small_chunks = validate(warehouse, name, SMALL)
    two = validate(warehouse, name, two_chunks(warehouse, table))
    assert (whole.chunks, two.chunks) == (1, 2) and small_chunks.chunks >= 4
    assert whole.rows == two.rows == small_chunks.rows
    assert comparable(two) == comparable(whole)
    assert comparable(small_chunks) == comparable(whole)
    assert two.description.endswith(" in 2 chunks") and not whole.description.endswith("chunks")


def test_a_column_emptied_on_the_last_day_counts_over_the_whole_batch(sample, warehouse):
    last = delivered(sample, "erp/orders", DAYS[-1])
    emptied = [last[0], *(",".join([*line.split(",")[:5], ""]) for line in last[1:])]
    redeliver(sample, warehouse, "erp/orders", DAYS[-1], emptied)
    result = validate(warehouse, "raw.erp__orders", SMALL)
    status = next(o for o in result.outcomes if o.column == "status")
    assert result.chunks >= 4 and status.success
    assert status.observed_value == pytest.approx(1 - (len(last) - 1) / result.rows)
    assert comparable(result) == comparable(validate(warehouse, "raw.erp__orders", ONE_FRAME))


def test_chunks_hold_whole_days_within_the_budget_and_only_the_needed_columns(warehouse):
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        batch = read_batch(conn, suite("raw.erp__order_lines"), DAYS, chunk_rows=500)
        per_day = dict(
            conn.execute(
                "select _partition_date, count(*) from raw.erp__order_lines group by 1"
            ).fetchall()
        )
        chunks = list(batch.frames())
    assert [d for c in batch.chunks for d in c.days] == sorted(per_day)  # every day, in order
    for planned, chunk in zip(batch.chunks, chunks, strict=True):
        assert len(chunk.frame) == sum(per_day[d] for d in planned.days)
        assert len(chunk.frame) <= 500 or len(planned.days) == 1
        assert set(LINEAGE_COLUMNS) <= set(chunk.frame.columns)
        assert {"_file_sha256", "_loaded_at"}.isdisjoint(chunk.frame.columns)
        assert {"order_id", "quantity"} <= set(chunk.frame.columns)


def test_every_raw_suite_can_be_validated_in_chunks(warehouse, tmp_path):
    """Each expectation type of every `batch: partitions` suite has a merge rule, the
    batch's row count is validated once, and a rule without one is refused by name."""
    from ka_pipeline.quality.chunks import ROW_COUNT_TYPES
    from ka_pipeline.quality.suites import load_suite

    with duckdb.connect(str(warehouse), read_only=True) as conn:
        for raw in load_suites(layer="raw"):
            if "/".join(raw.asset_key[1:]) in ENTITIES:  # the entities of the sample
                read_batch(conn, raw, DAYS)  # refuses an expectation it cannot merge
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
    result = validate(warehouse, "raw.erp__orders", SMALL)
    (row_count, block) = [o for o in result.outcomes if o.type in ROW_COUNT_TYPES]
    assert row_count.observed_value == block.observed_value == result.rows


def test_an_undated_export_is_validated_row_by_row(sample, tmp_path):
    """One export file with no date in its name (the bring-your-own walkthrough's layout):
    its rows carry no business day, and every one of them is validated, in chunks, whether
    the run names days (a partitioned run) or not (the latest load)."""
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
    in_chunks = validate(warehouse, "raw.erp__orders", SMALL)
    one_frame = validate(warehouse, "raw.erp__orders", ONE_FRAME)
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        latest = read_batch(conn, suite("raw.erp__orders"))
    assert in_chunks.rows == one_frame.rows == latest.rows == len(lines)
    assert in_chunks.chunks == -(-len(lines) // SMALL) and one_frame.chunks == 1
    assert "undated delivery" in in_chunks.description
    assert comparable(in_chunks) == comparable(one_frame)
    status = next(o for o in in_chunks.outcomes if o.column == "status")
    assert status.observed_value == pytest.approx(1 - emptied / len(lines))
    assert any("undated delivery" in note for note in in_chunks.notes)  # no per-day bounds


def test_an_empty_batch_says_it_checked_no_rows(sample):
    """Days without any delivered row: the check does not claim that rows passed."""
    with duckdb.connect(str(sample[1]), read_only=True) as conn:
        from ka_pipeline.quality.runner import validate as run

        days = [date(2030, 1, 1)]
        result = run(suite("raw.erp__orders"), read_batch(conn, suite("raw.erp__orders"), days))
    assert result.rows == 0 and result.summary().startswith("No rows to validate")
