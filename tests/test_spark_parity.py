"""The same dbt project on Apache Spark gives the same tables as on DuckDB.

`ka-pipeline spark-build --compare` on the defects sample: the raw layer of the DuckDB
build (every kind of injected defect included) is exported to parquet and built on Spark
with the `spark` target, then the analytics stage runs on Spark; every table of a BI
release, the salted contact keys, the nine incremental facts, the quarantined rows and the
analytics stage's inputs and tables are compared (ka_pipeline/spark/parity.py).
Spark start-up and its per-statement cost dominate: a few minutes.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import pytest

from ka_pipeline.serving.tables import SERVED_TABLES
from ka_pipeline.settings import DBT_PROJECT_DIR, REPO_ROOT
from ka_pipeline.spark.parity import ANALYTICS_INPUTS, FITTED_TABLES, INCREMENTAL_FACTS

pytestmark = [pytest.mark.spark, pytest.mark.slow]


@dataclass(frozen=True)
class SparkParity:
    report: dict
    returncode: int
    spark_dir: Path


# `make spark-setup` installs the Spark extra in an environment of its own (Makefile)
SPARK_PYTHON = Path(os.environ.get("KA_SPARK_PYTHON", REPO_ROOT / ".venv-spark" / "bin" / "python"))


@pytest.fixture(scope="session")  # session: one Spark build even if xdist interleaves modules
def spark_parity(defects_build, tmp_path_factory) -> SparkParity:
    assert SPARK_PYTHON.exists(), f"{SPARK_PYTHON} is missing: run `make spark-setup`"
    spark_dir = tmp_path_factory.mktemp("spark")
    result = defects_build.cli(
        "spark-build", "--compare", "--skip-tests",
        env={"KA_SPARK_DIR": str(spark_dir)}, python=SPARK_PYTHON, check=False,
    )  # fmt: skip
    report = spark_dir / "parity.json"
    assert report.exists(), f"no parity report:\n{result.stdout[-4000:]}\n{result.stderr[-4000:]}"
    return SparkParity(json.loads(report.read_text(encoding="utf-8")), result.returncode, spark_dir)


def test_every_compared_table_is_equal_on_both_engines(spark_parity):
    report = spark_parity.report
    differing = {t["table"]: t["mismatches"] for t in report["tables"] if t["mismatches"]}
    assert not differing, f"Spark differs from DuckDB: {json.dumps(differing, indent=1)}"
    assert report["equal"] and spark_parity.returncode == 0


def test_the_comparison_covers_the_bi_release_with_data(spark_parity):
    compared = {t["table"]: t for t in spark_parity.report["tables"]}
    served = {t.qualified for t in SERVED_TABLES if t.built_by_dbt}
    facts = {f"core.{fact}" for fact in INCREMENTAL_FACTS}
    analytics = set(ANALYTICS_INPUTS) | set(FITTED_TABLES)
    assert served | facts | {"core.dim_contacts", "quality.dq_quarantined_rows"} | analytics == set(
        compared
    )
    # every table a BI release serves is compared, the analytics stage's included
    assert {t.qualified for t in SERVED_TABLES} <= set(compared)
    for table in ("marts.mart_account_rfm", "marts.mart_kpi_monthly", "core.dim_contacts",
                  *analytics):  # fmt: skip
        assert compared[table]["spark_rows"] > 0, f"{table} is empty: nothing was compared"
    # the defects sample quarantines rows: both engines must agree on them, not on nothing
    assert compared["quality.dq_quarantined_rows"]["duckdb_rows"] > 50


def test_spark_artefacts_stay_apart_from_the_duckdb_manifest(spark_parity):
    seconds = spark_parity.report["spark_seconds"]
    assert set(seconds) == {
        "raw export", "spark start and raw tables", "dbt build", "analytics stage"
    }  # fmt: skip
    manifest = spark_parity.spark_dir / "dbt" / "target" / "manifest.json"
    spark_manifest = json.loads(manifest.read_text())
    assert spark_manifest["metadata"]["adapter_type"] == "spark"
    # Dagster loads dbt_project/target/manifest.json: it must still be DuckDB's
    duckdb_manifest = json.loads((DBT_PROJECT_DIR / "target" / "manifest.json").read_text())
    assert duckdb_manifest["metadata"]["adapter_type"] == "duckdb"
