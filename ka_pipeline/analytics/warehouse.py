"""Where the stage reads and writes: the DuckDB warehouse or the Spark target.

The stage needs three things of a warehouse: run a portable `select` and get a data frame
(account-grain rows fit in memory on either engine), tell whether a table exists (the
previous run's centroids), and replace its tables. The queries are plain SQL both engines
run alike; everything else the stage does is pandas, scikit-learn and statsmodels.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Protocol

import duckdb
import pandas as pd


class AnalyticsWarehouse(Protocol):
    def query(self, sql: str) -> pd.DataFrame: ...

    def has_table(self, schema: str, table: str) -> bool: ...

    def replace_tables(
        self, tables: dict[str, pd.DataFrame], docs: dict[str, tuple[str, dict[str, str]]]
    ) -> None: ...


class DuckDBWarehouse:
    """The DuckDB warehouse behind an open connection (the `warehouse` resource's)."""

    def __init__(self, conn: duckdb.DuckDBPyConnection) -> None:
        self.conn = conn

    def query(self, sql: str) -> pd.DataFrame:
        return self.conn.execute(sql).df()

    def has_table(self, schema: str, table: str) -> bool:
        return bool(
            self.conn.execute(
                "select count(*) from information_schema.tables "
                "where table_schema = ? and table_name = ?",
                [schema, table],
            ).fetchone()[0]
        )

    def replace_tables(self, tables, docs) -> None:
        from ka_pipeline.analytics.tables import write_tables

        write_tables(self.conn, tables, docs)


class SparkWarehouse:
    """The Spark target's catalog (the session `ka-pipeline spark-build` built dbt in).

    Tables are replaced one after another (Spark's catalog has no multi-table
    transaction) and carry no comments: the descriptions live in the dbt source
    `analytics` and the DuckDB warehouse."""

    def __init__(self, spark) -> None:
        self.spark = spark

    def query(self, sql: str) -> pd.DataFrame:
        result = self.spark.sql(sql)
        frame = pd.DataFrame([tuple(row) for row in result.collect()], columns=result.columns)
        return _as_duckdb_returns(frame)

    def has_table(self, schema: str, table: str) -> bool:
        return self.spark.catalog.tableExists(f"{schema}.{table}")

    def replace_tables(self, tables, docs) -> None:
        from ka_pipeline.analytics.tables import assert_finite

        for name, frame in tables.items():
            assert_finite(name, frame)
        for name, frame in tables.items():
            schema = spark_schema(frame)
            rows = [
                tuple(_python_value(value) for value in row)
                for row in frame.itertuples(index=False, name=None)
            ]
            self.spark.createDataFrame(rows, schema).write.mode("overwrite").saveAsTable(
                f"marts.{name}"
            )


def _as_duckdb_returns(frame: pd.DataFrame) -> pd.DataFrame:
    """The dtypes DuckDB's `.df()` gives for the same rows: decimals as float64, dates as
    datetime64, so the stage computes (and writes) the same frames on either engine."""
    for name in frame.columns:
        sample = next((v for v in frame[name] if v is not None), None)
        if isinstance(sample, Decimal):
            frame[name] = frame[name].astype(float)
        elif isinstance(sample, date):
            frame[name] = pd.to_datetime(frame[name]).astype("datetime64[us]")
    return frame


def spark_schema(frame: pd.DataFrame):
    """A Spark schema for `frame` with the types DuckDB infers for the same frame."""
    from pyspark.sql import types

    def spark_type(column: pd.Series):
        kind = column.dtype.kind
        if kind == "f":
            return types.DoubleType()
        if kind in "iu":
            return types.LongType()
        if kind == "b":
            return types.BooleanType()
        if kind == "M":
            return types.TimestampType()
        sample = next((_python_value(v) for v in column if _python_value(v) is not None), None)
        if isinstance(sample, bool):
            return types.BooleanType()
        if isinstance(sample, int):
            return types.LongType()
        if isinstance(sample, float):
            return types.DoubleType()
        if isinstance(sample, datetime):
            return types.TimestampType()
        if isinstance(sample, date):
            return types.DateType()
        return types.StringType()

    return types.StructType(
        [types.StructField(str(name), spark_type(frame[name]), True) for name in frame.columns]
    )


def _python_value(value: object) -> object:
    """A plain Python value for Spark: NaN and NA become null (as DuckDB stores them)."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and value != value:
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if isinstance(value, Decimal):
        return float(value)
    if hasattr(value, "item"):  # numpy scalars
        return _python_value(value.item())
    return value
