"""Running the dbt project on Apache Spark (dbt-spark, `session` method) instead of DuckDB.

The DuckDB warehouse stays the source of the raw layer: `raw_export` writes its `raw`
tables as parquet, `build` registers them as Spark tables and runs dbt with the `spark`
target in this process (one Spark session for the whole run), and `parity` compares the
BI-facing tables of both engines. Needs the optional extra: `make spark-setup`.
"""
