"""Account-grain inputs of the models, read from the dbt models of the analytics folder.

Every aggregate is computed in SQL (`dbt_project/models/marts/analytics/`); here the rows
are only selected, in a fixed order (account_id), so the same warehouse gives the same
fits.
"""

from __future__ import annotations

import duckdb
import pandas as pd

# name, label zh, label en, transform before standardising (log1p for the skewed ones)
CLUSTER_FEATURES: tuple[tuple[str, str, str, bool], ...] = (
    ("recency_days", "最近购买天数", "recency (days)", True),
    ("frequency_orders", "订单数", "orders", True),
    ("monetary_revenue_cny", "收入", "revenue", True),
    ("aov_cny", "客单价", "average order value", True),
    ("margin_rate", "毛利率", "margin", False),
    ("product_line_count", "产品线数", "product lines", False),
    ("growth_rate", "收入增长", "revenue growth", False),
    ("satisfaction", "满意度", "satisfaction", False),
    ("collection_rate", "回款率", "collection rate", False),
    ("tenure_days", "客户年限", "tenure (days)", False),
)
FEATURE_NAMES = tuple(name for name, *_ in CLUSTER_FEATURES)


def account_features(conn: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    columns = ", ".join(FEATURE_NAMES)
    frame = conn.execute(
        f"select account_id, as_of_date, {columns} "
        "from marts_intermediate.int_analytics_account_features order by account_id"
    ).df()
    for name in FEATURE_NAMES:
        frame[name] = frame[name].astype(float)
    return frame


def clv_inputs(conn: duckdb.DuckDBPyConnection, snapshot: str) -> pd.DataFrame:
    frame = conn.execute(
        "select account_id, cutoff_date, holdout_end_date, frequency, recency_weeks, "
        "age_weeks, days_since_last_transaction, monetary_mean_cny, calibration_revenue_cny, "
        "holdout_transactions, holdout_revenue_cny, is_active_in_holdout "
        "from marts_intermediate.int_analytics_clv_inputs where snapshot_name = ? "
        "order by account_id",
        [snapshot],
    ).df()
    for name in (
        "frequency",
        "recency_weeks",
        "age_weeks",
        "days_since_last_transaction",
        "monetary_mean_cny",
        "calibration_revenue_cny",
        "holdout_transactions",
        "holdout_revenue_cny",
    ):
        frame[name] = frame[name].astype(float)
    return frame


def region_months(conn: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    frame = conn.execute(
        "select region_code, region_name_zh, region_name_en, region_sort_order, month_start, "
        "revenue_cny from marts_intermediate.int_analytics_region_months "
        "order by region_sort_order, region_code, month_start"
    ).df()
    frame["revenue_cny"] = frame["revenue_cny"].astype(float)
    frame["month_start"] = pd.to_datetime(frame["month_start"]).dt.date
    return frame


def as_of_date(conn: duckdb.DuckDBPyConnection):
    return conn.execute("select as_of_date from marts_intermediate.int_as_of_date").fetchone()[0]
