"""Raw suites validated in chunks of business days give the batch's result, not a chunk's.

A two-month sample is loaded by the real loader into a real DuckDB file and validated with
real GX twice: as one frame (a chunk budget larger than the batch) and in chunks. Counts,
percentages, observed values, severities, samples and rows must be the same; a key
delivered again in another chunk and a bad value in the last chunk must be found.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest
from conftest import raw_suite as suite

from ka_pipeline.extract.loader import Delivery, expected_deliveries, load_deliveries
from ka_pipeline.landing.contract import ENTITIES_BY_KEY
from ka_pipeline.quality.frames import LINEAGE_COLUMNS, read_batch
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
        result = run(suite(name), read_batch(conn, suite(name), DAYS, chunk_rows=chunk_rows))
        temporary = "select count(*) from duckdb_tables() where temporary"
        assert conn.execute(temporary).fetchone() == (0,)  # the unknown keys' tables dropped
    return result


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
    assert whole.failed, "the 5 % defects fail something: samples are compared too"
    assert whole.rows == two.rows == small_chunks.rows
    assert comparable(two) == comparable(whole)
    assert comparable(small_chunks) == comparable(whole)
    assert two.description.endswith(" in 2 chunks") and not whole.description.endswith("chunks")


def test_a_key_delivered_again_in_another_chunk_is_found(sample, warehouse):
    """Every order of the first day re-sent with the last day's orders: the first and the
    last day are in different chunks, and each chunk alone has unique order ids."""
    first, last = (
        delivered(sample, "erp/orders", DAYS[0]),
        delivered(sample, "erp/orders", DAYS[-1]),
    )
    redeliver(sample, warehouse, "erp/orders", DAYS[-1], [*last, *first[1:]])
    budget = two_chunks(warehouse, "raw.erp__orders")
    result = validate(warehouse, "raw.erp__orders", budget)
    whole = validate(warehouse, "raw.erp__orders", ONE_FRAME)
    unique = next(o for o in result.outcomes if o.type == "expect_column_values_to_be_unique")
    assert result.chunks == 2 and not unique.success
    assert unique.unexpected_count == next(
        o.unexpected_count for o in whole.outcomes if o.index == unique.index
    )
    resent = first[1].split(",")[0]
    assert unique.samples[0] == f"'{resent}'"
    assert unique.rows == [
        f"erp/orders/orders_{DAYS[0]}.csv:{n} (order_id='{line.split(',')[0]}')"
        for n, line in enumerate(first[1:4], start=1)
    ]
    assert comparable(result) == comparable(whole)


def test_a_bad_value_in_the_last_chunk_fails_the_suite(sample, warehouse):
    friday = date(2024, 3, 29)  # ~2 % of the batch's orders: more than `mostly` allows
    lines = delivered(sample, "erp/orders", friday)
    bad = [lines[0], *(",".join([*line.split(",")[:5], "shipped??"]) for line in lines[1:])]
    redeliver(sample, warehouse, "erp/orders", friday, bad)
    result = validate(warehouse, "raw.erp__orders", SMALL)
    status = next(o for o in result.failed if o.column == "status__code")
    assert result.chunks >= 4 and status.unexpected_count == len(lines) - 1
    assert status.samples == ["'shipped??'"]
    assert status.rows[0] == f"erp/orders/orders_{friday}.csv:1 (status='shipped??')"
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
    assert [d for c in batch.chunks for d in c] == sorted(per_day)  # every day once, in order
    for days, chunk in zip(batch.chunks, chunks, strict=True):
        assert len(chunk.frame) == sum(per_day[d] for d in days)
        assert len(chunk.frame) <= 500 or len(days) == 1
        assert set(LINEAGE_COLUMNS) <= set(chunk.frame.columns)
        assert {"_file_sha256", "_loaded_at"}.isdisjoint(chunk.frame.columns)
        assert {"order_id__key", "quantity", "quantity__num"} <= set(chunk.frame.columns)


def test_every_raw_suite_can_be_validated_in_chunks(warehouse):
    """Each expectation type of every `batch: partitions` suite has a merge rule (the
    others are refused by name), and the batch's row count is validated once."""
    from ka_pipeline.quality.chunks import (
        PROPORTION_TYPES,
        ROW_COUNT_TYPES,
        SCHEMA_TYPES,
        _is_map,
    )

    for raw in load_suites(layer="raw"):
        if raw.batch != "partitions":
            continue
        for expectation in raw.expectations:
            kind = expectation["type"]
            assert kind in SCHEMA_TYPES | ROW_COUNT_TYPES | PROPORTION_TYPES or _is_map(kind), (
                f"{raw.relative_path}: {kind}"
            )
    result = validate(warehouse, "raw.erp__orders", SMALL)
    (row_count, block) = [o for o in result.outcomes if o.type in ROW_COUNT_TYPES]
    assert row_count.observed_value == block.observed_value == result.rows
