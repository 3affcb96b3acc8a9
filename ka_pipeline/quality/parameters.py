"""Values from outside the frame that a suite's expectations use (`meta.parameters`).

A parameter is used as `{"$PARAMETER": "<expression>"}` in an expectation's kwargs; its
provider computes it from the warehouse after the batch is planned, before GX runs:

| provider | gives |
|---|---|
| recent_row_count | `<name>_expected` rows for the batch's days (mean of the same weekday over the `history_days` loaded before it, from raw._load_log), and the bounds `<name>_low`, `<name>_high` (warn) and `<name>_block` (error) |
| fact_revenue | revenue of completed order lines in core.fct_order_lines up to the mart's as-of date (`scope: total`), or in its window for real accounts (`scope: window_accounts`) |
| seed_values | the codes of a dbt seed's `column` (rows matching `where`), e.g. the review actions of seeds/marts/review_actions.csv |
"""  # noqa: E501

from __future__ import annotations

import csv
import math
from collections.abc import Callable
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

import duckdb

from ka_pipeline.quality.frames import LOAD_LOG, Batch, entity_key, relation_exists
from ka_pipeline.quality.suites import Suite
from ka_pipeline.settings import DBT_PROJECT_DIR

if TYPE_CHECKING:
    import pandas as pd

    from ka_pipeline.quality.raw_batch import RawBatch


def _seed(name: str) -> list[dict[str, str]]:
    with (DBT_PROJECT_DIR / "seeds" / f"{name}.csv").open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _recent_row_count(conn, suite: Suite, batch: Batch | RawBatch, name: str, spec: dict) -> dict:
    """Rows expected in the batch from the recent load history (same weekday), and bounds.

    expected = sum over the batch's days of the mean delivered rows of that weekday over the
    `history_days` loaded before the batch (all loaded days when a weekday has none);
    low  = min(expected x low, expected - 3 sqrt(expected)), floored at 0 (warn below);
    high = max(expected x high, expected + 3 sqrt(expected)) + slack (warn above);
    block = 1 when expected >= block_min_expected, else 0 (an empty delivery then blocks).
    """
    unbounded = {
        f"{name}_expected": None,
        f"{name}_low": 0,
        f"{name}_high": 10**12,
        f"{name}_block": 0,
    }
    if not batch.days or not relation_exists(conn, LOAD_LOG):
        batch.notes.append("row count: no batch days or load log, bounds not applied")
        return unbounded
    if getattr(batch, "undated_rows", 0):
        batch.notes.append(
            "row count: an undated delivery has no per-day history to compare with, "
            "bounds not applied"
        )
        return unbounded
    history_days = int(spec.get("history_days", 28))
    first = batch.days[0]
    history = conn.execute(
        f"select partition_date, sum(delivered_rows) from {LOAD_LOG} where entity = ? "
        "and partition_date between ? and ? group by 1",
        [entity_key(suite), first - timedelta(days=history_days), first - timedelta(days=1)],
    ).fetchall()
    if len(history) < int(spec.get("min_history_days", 7)):
        batch.notes.append(
            f"row count: {len(history)} day(s) loaded in the {history_days} days before "
            f"{first}, too few to compare with; bounds not applied"
        )
        return unbounded
    by_weekday: dict[int, list[int]] = {}
    for day, rows in history:
        by_weekday.setdefault(day.weekday(), []).append(int(rows))
    overall = sum(int(r) for _, r in history) / len(history)
    means = {wd: sum(v) / len(v) for wd, v in by_weekday.items()}
    expected = sum(means.get(day.weekday(), overall) for day in batch.days)
    spread = 3 * math.sqrt(expected)
    low = max(0.0, min(expected * float(spec.get("low", 0.25)), expected - spread))
    high = max(expected * float(spec.get("high", 3.0)), expected + spread) + float(
        spec.get("slack", 3)
    )
    block = 1 if expected >= float(spec.get("block_min_expected", 20)) else 0
    return {
        f"{name}_expected": round(expected, 2),
        f"{name}_low": round(low, 2),
        f"{name}_high": round(high, 2),
        f"{name}_block": block,
    }


def _mart_window(conn, frame: pd.DataFrame) -> tuple[date | None, date | None]:
    as_of = frame["as_of_date"].dropna().max() if "as_of_date" in frame else None
    start = frame["window_start_date"].dropna().min() if "window_start_date" in frame else None
    if (as_of is None or start is None) and relation_exists(conn, "marts.mart_account_rfm"):
        row = conn.execute(
            "select max(as_of_date), min(window_start_date) from marts.mart_account_rfm"
        ).fetchone()
        as_of = as_of if as_of is not None else row[0]
        start = start if start is not None else row[1]
    return as_of, start


def _fact_revenue(conn, suite: Suite, batch: Batch, name: str, spec: dict) -> dict:
    """Revenue of completed lines in core.fct_order_lines, as the marts must reconcile to
    (same rule as dbt test assert_mart_revenue_reconciles_with_order_lines)."""
    as_of, window_start = _mart_window(conn, batch.frame)
    if as_of is None:
        batch.notes.append(f"{name}: no as-of date in the mart, fact revenue not computed")
        return {name: None}
    sql = (
        "select coalesce(sum(revenue_cny), 0) from core.fct_order_lines "
        "where is_completed and order_date <= ?"
    )
    params: list[Any] = [as_of]
    if spec.get("scope") == "window_accounts":
        sql += " and order_date >= ? and account_id <> 'UNKNOWN'"
        params.append(window_start)
    (revenue,) = conn.execute(sql, params).fetchone()
    scope = (
        f"window {window_start} .. {as_of}"
        if spec.get("scope") == "window_accounts"
        else f"up to {as_of}"
    )
    batch.notes.append(f"{name}: completed revenue in core.fct_order_lines, {scope} = {revenue}")
    return {name: float(revenue)}


def _seed_values(conn, suite: Suite, batch: Batch, name: str, spec: dict) -> dict:
    """Codes a dbt seed defines (e.g. the review actions), so a mart's enumerations are
    checked against the same reference data dbt built them from."""
    rows = _seed(spec["seed"])
    where = spec.get("where", {})
    values = {r[spec["column"]] for r in rows if all(r.get(k) == v for k, v in where.items())}
    if not values:
        raise ValueError(f"seed {spec['seed']} has no {spec['column']} values matching {where}")
    return {name: sorted(values)}


Provider = Callable[[duckdb.DuckDBPyConnection, Suite, "Batch | RawBatch", str, dict], dict]
PROVIDERS: dict[str, Provider] = {
    "recent_row_count": _recent_row_count,
    "fact_revenue": _fact_revenue,
    "seed_values": _seed_values,
}
