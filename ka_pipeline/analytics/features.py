"""Account-grain inputs of the models, read from the dbt models of the analytics folder.

Every aggregate is computed in SQL (`dbt_project/models/marts/analytics/`); here the rows
are only selected, in a fixed order (account_id), so the same warehouse gives the same
fits.
"""

from __future__ import annotations

import pandas as pd

from ka_pipeline.analytics.warehouse import AnalyticsWarehouse

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


def account_features(warehouse: AnalyticsWarehouse) -> pd.DataFrame:
    columns = ", ".join(FEATURE_NAMES)
    frame = warehouse.query(
        f"select account_id, as_of_date, {columns} "
        "from marts_intermediate.int_analytics_account_features order by account_id"
    )
    for name in FEATURE_NAMES:
        frame[name] = frame[name].astype(float)
    return frame


CLV_SNAPSHOTS = ("current", "backtest")


def clv_inputs(warehouse: AnalyticsWarehouse, snapshot: str) -> pd.DataFrame:
    if snapshot not in CLV_SNAPSHOTS:
        raise ValueError(f"unknown CLV snapshot {snapshot!r}: one of {CLV_SNAPSHOTS}")
    frame = warehouse.query(
        "select account_id, cutoff_date, holdout_end_date, frequency, recency_weeks, "
        "age_weeks, days_since_last_transaction, monetary_mean_cny, calibration_revenue_cny, "
        "holdout_transactions, holdout_revenue_cny, is_active_in_holdout "
        "from marts_intermediate.int_analytics_clv_inputs "
        f"where snapshot_name = '{snapshot}' order by account_id"
    )
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


def region_months(warehouse: AnalyticsWarehouse) -> pd.DataFrame:
    frame = warehouse.query(
        "select region_code, region_name_zh, region_name_en, region_sort_order, month_start, "
        "revenue_cny from marts_intermediate.int_analytics_region_months "
        "order by region_sort_order, region_code, month_start"
    )
    frame["revenue_cny"] = frame["revenue_cny"].astype(float)
    frame["month_start"] = pd.to_datetime(frame["month_start"]).dt.date
    return frame


def as_of_date(warehouse: AnalyticsWarehouse):
    value = warehouse.query("select as_of_date from marts_intermediate.int_as_of_date").iloc[0, 0]
    return value.date() if isinstance(value, pd.Timestamp) else value
