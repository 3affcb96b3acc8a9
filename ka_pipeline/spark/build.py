"""Build the dbt project on Spark in this process, then the analytics stage on it.

dbt-spark's `session` method runs Spark inside the dbt process, so the whole build (raw
tables registered, seeds, models, optionally tests), the analytics stage (it reads the
account-grain models from Spark and writes its tables there, as it does on DuckDB) and the
parity check afterwards share one Spark session: the JVM starts once. dbt writes its artefacts under
`$KA_SPARK_DIR/dbt`, never into `dbt_project/target`, which holds the DuckDB manifest
Dagster loads.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass, field

from ka_pipeline.secrets import PII_SALT_ENV, pii_salt
from ka_pipeline.settings import DBT_PROJECT_DIR, Settings
from ka_pipeline.spark.raw_export import export_raw

SPARK_EXTRA_HINT = (
    "Spark support is not installed in this environment: run `make spark-setup` and use "
    ".venv-spark/bin/ka-pipeline (dbt-spark and pyspark live in an environment of their own)"
)


class SparkBuildError(RuntimeError):
    """A dbt command failed on Spark; the message names the command and dbt's log."""


@dataclass
class SparkBuild:
    """What a build on Spark did, and how long each part took (seconds)."""

    raw_tables: list[str]
    seconds: dict[str, float] = field(default_factory=dict)


def _require_spark() -> None:
    try:
        import dbt.adapters.spark  # noqa: F401
        import pyspark  # noqa: F401
    except ImportError as error:
        raise SparkBuildError(SPARK_EXTRA_HINT) from error


def _dbt(settings: Settings, *args: str) -> None:
    from dbt.cli.main import dbtRunner

    command = [
        *args,
        "--project-dir",
        str(DBT_PROJECT_DIR),
        "--profiles-dir",
        str(DBT_PROJECT_DIR),
        "--target",
        "spark",
        "--target-path",
        str(settings.spark_dir / "dbt" / "target"),
        "--log-path",
        str(settings.spark_dir / "dbt" / "logs"),
        "--log-level-file",  # the project writes no dbt.log; a failure below points to it
        "debug",
    ]
    result = dbtRunner().invoke(command)
    if not result.success:
        raise SparkBuildError(
            f"dbt {args[0]} failed on Spark ({result.exception or 'see the errors above'}); "
            f"log: {settings.spark_dir / 'dbt' / 'logs' / 'dbt.log'}"
        )


def build_on_spark(settings: Settings, *, with_tests: bool = True) -> SparkBuild:
    """Export the DuckDB raw layer, register it in Spark and `dbt build` every model.

    `with_tests=False` builds seeds and models only (the data and unit tests run on
    DuckDB in every build; on Spark each test is a job of its own).
    """
    _require_spark()
    spark_dir = settings.spark_dir
    spark_dir.mkdir(parents=True, exist_ok=True)
    # dbt-spark's session method runs dbt and Spark in this process, so the values
    # profiles.yml reads go into this process's environment (it is `spark-build`'s own);
    # the salt reaches spark__ka_salted_hash through Spark's ${env:...} substitution, so it
    # never enters the SQL text dbt compiles
    os.environ.update(settings.dbt_env())
    os.environ[PII_SALT_ENV] = pii_salt(settings.data_dir)

    seconds: dict[str, float] = {}
    started = time.perf_counter()
    raw_dir = spark_dir / "raw"
    tables = export_raw(settings.warehouse_path, raw_dir)
    seconds["raw export"] = time.perf_counter() - started

    started = time.perf_counter()
    arguments = json.dumps({"directory": raw_dir.as_posix(), "tables": tables})
    _dbt(settings, "run-operation", "register_raw_tables", "--args", arguments)
    seconds["spark start and raw tables"] = time.perf_counter() - started

    started = time.perf_counter()
    excluded = [] if with_tests else ["--exclude-resource-type", "test", "unit_test"]
    _dbt(settings, "build", "--full-refresh", *excluded)
    seconds["dbt build"] = time.perf_counter() - started

    from ka_pipeline.analytics import SparkWarehouse, run_stage

    started = time.perf_counter()
    run_stage(SparkWarehouse(spark_session()))
    seconds["analytics stage"] = time.perf_counter() - started
    return SparkBuild(raw_tables=tables, seconds={k: round(v, 1) for k, v in seconds.items()})


def spark_session():
    """The Spark session dbt ran in (after `build_on_spark`).

    Not `getActiveSession()`: that is per thread, and dbt runs models on threads of its own.
    """
    from pyspark import SparkContext
    from pyspark.sql import SparkSession

    if SparkContext._active_spark_context is None:
        raise SparkBuildError("no Spark session: build_on_spark has not run in this process")
    return SparkSession.builder.getOrCreate()
