"""Do DuckDB and Spark hold the same tables?

Compared: every table of a BI release (`serving.tables.SERVED_TABLES`); the salted contact
keys (`core.dim_contacts`: both engines must hash alike for contacts to match across
systems); the nine incremental facts (their replacement strategy is what differs most by
engine); the quarantined rows (`quality.dq_quarantined_rows`: both engines must reject the
same delivered rows for the same reasons); the analytics stage's account-grain inputs and
its tables (it runs on either engine). For each: the column names, the row count, and
per column the non-null count, the number of distinct values and then
- integers, decimals, text, dates, booleans: the sorted values themselves (exact);
- floating-point columns: sum, min and max within a relative 1e-9 (the engines may add
  in another order); 1e-6 for the tables the stage fits (`FITTED_TABLES`): its
  optimisers (k-means, maximum likelihood, ETS) stop at tolerances of about 1e-8, so
  inputs equal to the last bits can move a fitted value in its seventh digit.
Columns that record the run itself (its dbt invocation id and start time) differ by
definition and are skipped.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from pathlib import Path

import duckdb

from ka_pipeline.analytics.stage import ANALYTICS_TABLES
from ka_pipeline.serving.tables import SERVED_TABLES

FLOAT_RELATIVE_TOLERANCE = 1e-9
FITTED_RELATIVE_TOLERANCE = 1e-6
RUN_COLUMNS = {
    ("mart_run_parameters", "dbt_invocation_id"),
    ("mart_run_parameters", "run_started_at"),
}


@dataclass
class TableParity:
    table: str
    duckdb_rows: int
    spark_rows: int
    columns: int
    mismatches: list[str] = field(default_factory=list)

    @property
    def equal(self) -> bool:
        return not self.mismatches


def _is_float(values: list) -> bool:
    return any(isinstance(v, float) for v in values)


def _sort_key(value: object) -> tuple[int, str]:
    return (0, "") if value is None else (1, repr(value))


def _normalised(value: object) -> object:
    """Equal values compare equal across drivers (Decimal('1.50') == Decimal('1.5'))."""
    if isinstance(value, Decimal):
        return value.normalize()
    return value


def compare_column(
    name: str, left: list, right: list, tolerance: float = FLOAT_RELATIVE_TOLERANCE
) -> list[str]:
    """Differences of one column's values between DuckDB (left) and Spark (right)."""
    problems = []
    non_null = (sum(v is not None for v in left), sum(v is not None for v in right))
    if non_null[0] != non_null[1]:
        problems.append(f"{name}: {non_null[0]} non-null values on DuckDB, {non_null[1]} on Spark")
    if _is_float(left) or _is_float(right):
        for label, aggregate in (("sum", math.fsum), ("min", min), ("max", max)):
            a = aggregate([float(v) for v in left if v is not None] or [0.0])
            b = aggregate([float(v) for v in right if v is not None] or [0.0])
            if not math.isclose(a, b, rel_tol=tolerance, abs_tol=1e-12):
                problems.append(f"{name}: {label} {a!r} on DuckDB, {b!r} on Spark")
        return problems
    a = sorted((_normalised(v) for v in left), key=_sort_key)
    b = sorted((_normalised(v) for v in right), key=_sort_key)
    if len(set(map(repr, a))) != len(set(map(repr, b))):
        problems.append(
            f"{name}: {len(set(map(repr, a)))} distinct values on DuckDB, "
            f"{len(set(map(repr, b)))} on Spark"
        )
    if a != b:
        differing = next(i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y)
        problems.append(
            f"{name}: values differ, first at sorted position {differing}: "
            f"{a[differing]!r} on DuckDB, {b[differing]!r} on Spark"
        )
    return problems


def compare_table(qualified: str, duck: duckdb.DuckDBPyConnection, spark) -> TableParity:
    relation = duck.execute(f"select * from {qualified}")
    duck_columns = [d[0] for d in relation.description]
    duck_rows = relation.fetchall()
    frame = spark.table(qualified)
    spark_rows = [tuple(row) for row in frame.collect()]
    table = qualified.split(".", 1)[1]
    tolerance = (
        FITTED_RELATIVE_TOLERANCE if qualified in FITTED_TABLES else FLOAT_RELATIVE_TOLERANCE
    )
    result = TableParity(qualified, len(duck_rows), len(spark_rows), len(duck_columns))
    if duck_columns != frame.columns:
        result.mismatches.append(
            f"columns differ: {duck_columns} on DuckDB, {frame.columns} on Spark"
        )
        return result
    if len(duck_rows) != len(spark_rows):
        result.mismatches.append(f"{len(duck_rows)} rows on DuckDB, {len(spark_rows)} on Spark")
    for index, column in enumerate(duck_columns):
        if (table, column) in RUN_COLUMNS:
            continue
        result.mismatches += compare_column(
            column, [r[index] for r in duck_rows], [r[index] for r in spark_rows], tolerance
        )
    return result


INCREMENTAL_FACTS = (
    "fct_orders",
    "fct_order_lines",
    "fct_invoices",
    "fct_payments",
    "fct_activities",
    "fct_opportunity_stages",
    "fct_surveys",
    "fct_complaints",
    "fct_tickets",
)
ANALYTICS_INPUTS = (
    "marts_intermediate.int_analytics_account_features",
    "marts_intermediate.int_analytics_clv_inputs",
    "marts_intermediate.int_analytics_region_months",
)
FITTED_TABLES = tuple(f"marts.{name}" for name in ANALYTICS_TABLES)
COMPARED_TABLES = (
    *(t.qualified for t in SERVED_TABLES if t.built_by_dbt),
    "core.dim_contacts",
    *(f"core.{fact}" for fact in INCREMENTAL_FACTS),
    "quality.dq_quarantined_rows",
    *ANALYTICS_INPUTS,
    *FITTED_TABLES,
)


def compare_engines(warehouse: Path, spark) -> list[TableParity]:
    """Compare every table of COMPARED_TABLES in the DuckDB warehouse with Spark's copy."""
    with duckdb.connect(str(warehouse), read_only=True) as duck:
        return [compare_table(table, duck, spark) for table in COMPARED_TABLES]


def render(results: list[TableParity]) -> str:
    lines = [f"{'table':<36} {'rows duckdb':>11} {'rows spark':>10} {'cols':>5}  result"]
    for r in results:
        verdict = "equal" if r.equal else f"{len(r.mismatches)} difference(s)"
        lines.append(
            f"{r.table:<36} {r.duckdb_rows:>11,} {r.spark_rows:>10,} {r.columns:>5}  {verdict}"
        )
        lines += [f"    - {m}" for m in r.mismatches[:10]]
    return "\n".join(lines)


def write_report(results: list[TableParity], build, path: Path) -> Path:
    """The comparison and the build's timings as JSON (what CI and the docs quote)."""
    report = {
        "equal": all(r.equal for r in results),
        "tables": [asdict(r) for r in results],
        "spark_seconds": build.seconds,
    }
    path.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path
