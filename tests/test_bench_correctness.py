"""The benchmark's comparators compute what the pipeline computes (issue #8).

On a tiny sample (two months, scale 0.05) the marts are built three ways: by dbt (the
pipeline's models), by the floor (the dbt-compiled SQL executed in a bare DuckDB process,
bench/floor.py), by the pandas implementation (bench/pandas_marts.py) and by the DuckDB
script over the landing files (bench/duckdb_marts.py). A benchmark that compared against
a comparator computing something else would measure nothing.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from bench import config, duckdb_marts, pandas_marts
from bench.floor import run_floor
from ka_pipeline.extract.loader import load_mapped_entities
from ka_pipeline.generator import generate
from ka_pipeline.mapping.schema import load_mapping
from ka_pipeline.settings import DBT_PROJECT_DIR, Settings

START, END = date(2026, 4, 1), date(2026, 5, 31)
MARTS = ("mart_account_rfm", "mart_account_tiers", "mart_kpi_monthly")


@pytest.fixture(scope="module")
def tiny(tmp_path_factory) -> dict:
    """A tiny sample: landing files, a dbt-built warehouse and a floor-built database."""
    root = tmp_path_factory.mktemp("bench_correctness")
    landing = root / "landing"
    generate(landing, start=START, end=END, seed=11, scale=0.05, defects=0.0)
    days = [START + timedelta(days=n) for n in range((END - START).days + 1)]
    warehouse = root / "dbt" / "warehouse.duckdb"
    warehouse.parent.mkdir()
    with duckdb.connect(str(warehouse)) as conn:
        load_mapped_entities(conn, load_mapping(), landing, days)
    target = root / "target"
    settings = Settings.from_env({"KA_DATA_DIR": str(root), "KA_WAREHOUSE_PATH": str(warehouse)})
    env = {**os.environ, **settings.dbt_env(), "KA_PII_SALT": config.BENCH_PII_SALT}
    selection = " ".join(f"+{mart}" for mart in MARTS)
    result = subprocess.run(
        [
            str(Path(sys.executable).parent / "dbt"), "build", "--select", selection,
            "--exclude", "resource_type:test", "resource_type:unit_test",
            "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR),
            "--target-path", str(target), "--log-path", str(root / "logs"),
        ],
        env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-4000:]
    floor_db = root / "floor" / "warehouse.duckdb"  # same file name: same catalog name
    floor_db.parent.mkdir()
    timings = run_floor(
        floor_db,
        target / "manifest.json",
        landing_dir=landing,
        days=days,
        seeds_from=warehouse,
        pii_salt=config.BENCH_PII_SALT,
        select=set(MARTS),
    )
    return {"landing": landing, "warehouse": warehouse, "floor": floor_db, "timings": timings}


COMPARATORS = {"pandas": pandas_marts.build_marts, "duckdb_script": duckdb_marts.build_marts}


@pytest.fixture(scope="module", params=sorted(COMPARATORS))
def comparator_marts(request, tiny):
    """The three marts as a comparator computes them from the landing files."""
    return COMPARATORS[request.param](tiny["landing"])


def _rows(database: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(database), read_only=True) as conn:
        return conn.execute(sql).fetchall()


@pytest.mark.parametrize("mart", MARTS)
def test_floor_builds_the_same_mart_as_dbt(tiny, mart):
    sql = f"select * from marts.{mart} order by all"
    dbt_rows, floor_rows = _rows(tiny["warehouse"], sql), _rows(tiny["floor"], sql)
    assert dbt_rows, f"dbt built an empty marts.{mart}: the sample proves nothing"
    assert floor_rows == dbt_rows
    assert tiny["timings"]["load_s"] > 0 and len(tiny["timings"]["models"]) >= 10


def test_comparator_rfm_and_tiers_match_the_pipeline(tiny, comparator_marts):
    marts = comparator_marts
    expected = _rows(
        tiny["warehouse"],
        "select r.account_id, r.as_of_date, r.recency_days, r.frequency_orders, "
        "r.monetary_revenue_cny, r.r_score, r.f_score, r.m_score, r.segment_code, "
        "t.value_tier_code, t.abc_class "
        "from marts.mart_account_rfm r join marts.mart_account_tiers t using (account_id) "
        "order by r.account_id",
    )
    rfm = marts.rfm.merge(marts.tiers, on="account_id").sort_values("account_id")
    actual = [
        (
            row.account_id, marts.as_of_date.date(), row.recency_days, row.frequency_orders,
            Decimal(int(row.monetary_fen)) / 100, row.r_score, row.f_score, row.m_score,
            row.segment_code, row.value_tier_code, row.abc_class,
        )
        for row in rfm.itertuples()
    ]  # fmt: skip
    assert len(expected) >= 10
    assert actual == expected


def test_comparator_monthly_kpi_revenue_matches_the_pipeline(tiny, comparator_marts):
    marts = comparator_marts
    expected = _rows(
        tiny["warehouse"],
        "select month_start, region_code, industry_code, size_band_code, revenue_cny "
        "from marts.mart_kpi_monthly where revenue_cny <> 0 order by all",
    )
    kpi = marts.kpi_monthly[marts.kpi_monthly["revenue_fen"] != 0]
    actual = sorted(
        (
            row.month_start.date(), row.region_code, row.industry_code, row.size_band_code,
            Decimal(int(row.revenue_fen)) / 100,
        )
        for row in kpi.itertuples()
    )  # fmt: skip
    assert len(expected) >= 5
    assert actual == expected
