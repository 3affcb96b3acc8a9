"""Reading the marts for the report: select and sort, never compute.

Every number the report prints is a column of a mart: the report marts
(dbt_project/models/marts/report/: headline, monthly and quarterly totals, the summaries
by region, tier, ABC class, segment, lifecycle stage, category and risk signal, the
accounts at risk and the week-over-week changes) and the account marts they summarise.
This module reads the marts of the weekly report's dbt exposure (`sources.MARTS_READ`) in
one short read-only DuckDB session, then only selects rows and columns and sorts them by
the marts' `*_sort_order` / rank columns. It does no arithmetic on mart values
(tests/test_report_rules.py checks that): a number the report needs is added to a mart, so
it has one definition, documented and tested in dbt, and the BI tools see the same value.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd

from ka_pipeline.report.sources import MARTS_READ, MARTS_SCHEMA


class ReportDataError(RuntimeError):
    """The marts cannot make a consistent report (missing, empty or built for different dates)."""


@dataclass
class Marts:
    frames: dict[str, pd.DataFrame]
    warehouse_path: Path
    as_of_date: date = field(init=False)
    as_of_date_source: str = field(init=False)
    window_months: int = field(init=False)
    window_start_date: date = field(init=False)
    built_at: str = field(init=False)

    def __post_init__(self) -> None:
        params = self["mart_run_parameters"]
        if params.empty:
            raise ReportDataError("marts.mart_run_parameters is empty: build the marts first")
        first = params.iloc[0]
        self.as_of_date = to_date(first["as_of_date"])
        self.as_of_date_source = str(first.get("as_of_date_source", ""))
        self.built_at = str(first.get("run_started_at", ""))
        if self["mart_account_tiers"].empty:
            raise ReportDataError("marts.mart_account_tiers is empty: no account to report on")
        kpis = headline(self)
        self.window_months = int(kpis["window_months"])
        self.window_start_date = to_date(kpis["window_start_date"])
        dates = {
            name: sorted({to_date(v) for v in frame["as_of_date"].dropna().unique()})
            for name, frame in self.frames.items()
            if "as_of_date" in frame.columns and not frame.empty
        }
        inconsistent = {n: d for n, d in dates.items() if d != [self.as_of_date]}
        if inconsistent:
            raise ReportDataError(
                f"the marts were not built for one as-of date ({self.as_of_date} in "
                f"mart_run_parameters): {inconsistent}; rebuild the marts"
            )

    def __getitem__(self, name: str) -> pd.DataFrame:
        return self.frames[name]

    def parameter(self, name: str) -> str | None:
        params = self["mart_run_parameters"]
        match = params.loc[params["parameter_name"] == name, "resolved_value"]
        return None if match.empty else str(match.iloc[0])


def load_marts(warehouse_path: Path | str) -> Marts:
    """Read every mart of MARTS_READ in one read-only session (closed before returning)."""
    warehouse_path = Path(warehouse_path)
    if not warehouse_path.is_file():
        raise ReportDataError(f"no warehouse at {warehouse_path}: run the pipeline first")
    frames: dict[str, pd.DataFrame] = {}
    with duckdb.connect(str(warehouse_path), read_only=True) as conn:
        present = {
            name
            for (name,) in conn.execute(
                "select table_name from information_schema.tables where table_schema = ?",
                [MARTS_SCHEMA],
            ).fetchall()
        }
        missing = [name for name in MARTS_READ if name not in present]
        if missing:
            raise ReportDataError(
                f"marts missing from {warehouse_path}: {', '.join(missing)}; build the marts"
            )
        for name in MARTS_READ:
            frames[name] = conn.execute(f'select * from "{MARTS_SCHEMA}"."{name}"').df()
    return Marts(frames=frames, warehouse_path=warehouse_path)


# ---- selecting --------------------------------------------------------------------------


def to_date(value) -> date:
    return pd.Timestamp(value).date()


def plain_value(value: object) -> object:
    """A mart cell as a plain Python value: None for null, a date for a timestamp."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date()
    return value.item() if hasattr(value, "item") else value


def headline(marts: Marts) -> dict[str, object]:
    """The headline KPIs of the report: the as-of date's row of mart_report_headline (name
    -> value; None when not measurable)."""
    rows = marts["mart_report_headline"]
    if rows.empty:
        raise ReportDataError("marts.mart_report_headline is empty: build the marts first")
    return {name: plain_value(value) for name, value in rows.iloc[0].items()}


def region_names(marts: Marts) -> pd.DataFrame:
    """region_code -> region_name_zh / region_name_en (from mart_kpi_monthly)."""
    return dimension_names(marts, "region")


def dimension_names(marts: Marts, dimension: str) -> pd.DataFrame:
    """<dimension>_code -> <dimension>_name_zh / _en from mart_kpi_monthly (region, industry,
    size_band)."""
    monthly = marts["mart_kpi_monthly"]
    columns = [f"{dimension}_code", f"{dimension}_name_zh", f"{dimension}_name_en"]
    return monthly[columns].drop_duplicates(columns[0]).set_index(columns[0])


def monthly_totals(marts: Marts) -> pd.DataFrame:
    """mart_kpi_monthly_totals by month (oldest first)."""
    months = marts["mart_kpi_monthly_totals"].sort_values("month_start").reset_index(drop=True)
    months["month_start"] = pd.to_datetime(months["month_start"]).dt.date
    return months


def quarterly_totals(marts: Marts) -> pd.DataFrame:
    """mart_kpi_quarterly by calendar quarter (oldest first), indexed by its label."""
    return marts["mart_kpi_quarterly"].sort_values("quarter_start").set_index("quarter_label")


def last_twelve_months(marts: Marts) -> tuple[date, date]:
    """First and last month of the 12 calendar months ending with the as-of month."""
    kpis = headline(marts)
    return to_date(kpis["first_month_12m"]), to_date(kpis["last_month_12m"])


def region_summary(marts: Marts) -> pd.DataFrame:
    """mart_report_region_summary in its order (most key accounts first)."""
    regions = marts["mart_report_region_summary"]
    return regions.sort_values("region_sort_order").set_index("region_code")


def tier_summary(marts: Marts) -> pd.DataFrame:
    """mart_report_tier_summary in the value tiers' order, indexed by tier code."""
    tiers = marts["mart_report_tier_summary"]
    return tiers.sort_values("value_tier_sort_order").set_index("value_tier_code")


def abc_summary(marts: Marts) -> pd.DataFrame:
    """mart_report_abc_summary in the ABC classes' order, indexed by class."""
    return marts["mart_report_abc_summary"].sort_values("abc_sort_order").set_index("abc_class")


def rfm_grid(marts: Marts) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(window revenue, account count) of mart_report_rfm_grid laid out as R score (rows, 5
    first) x F score (columns)."""
    grid = marts["mart_report_rfm_grid"]
    rows, columns = [5, 4, 3, 2, 1], [1, 2, 3, 4, 5]
    revenue = grid.pivot(index="r_score", columns="f_score", values="revenue_cny")
    count = grid.pivot(index="r_score", columns="f_score", values="account_count")
    return revenue.reindex(index=rows, columns=columns), count.reindex(index=rows, columns=columns)


def segment_summary(marts: Marts) -> pd.DataFrame:
    """mart_report_segment_summary, fewest accounts first (the chart's bottom-up order)."""
    segments = marts["mart_report_segment_summary"]
    return segments.sort_values(["account_count", "segment_code"]).set_index("segment_code")


def value_groups(marts: Marts) -> dict[str, tuple[str, str]]:
    """RFM value group code -> (zh, en) name, in the value groups' order."""
    segments = marts["mart_report_segment_summary"].sort_values(
        ["value_group_sort_order", "value_group_code"]
    )
    return {
        row.value_group_code: (row.value_group_name_zh, row.value_group_name_en)
        for row in segments.drop_duplicates("value_group_code").itertuples()
    }


def top_accounts(marts: Marts, metric: str) -> pd.DataFrame:
    """mart_top_accounts for one ranking_metric (revenue | gross_profit), by rank."""
    top = marts["mart_top_accounts"]
    ranked = top[top["ranking_metric"] == metric].sort_values("rank_position")
    return ranked.join(region_names(marts), on="region_code").reset_index(drop=True)


def category_shares(marts: Marts) -> pd.DataFrame:
    """mart_report_category_summary, smallest revenue share first, indexed by category."""
    categories = marts["mart_report_category_summary"]
    return categories.sort_values(["revenue_share", "category"]).set_index("category")


def funnel(marts: Marts) -> pd.DataFrame:
    return marts["mart_funnel_stages"].sort_values("stage_order").reset_index(drop=True)


def lifecycle_summary(marts: Marts) -> pd.DataFrame:
    """mart_report_lifecycle_summary in the stages' order, indexed by stage code."""
    stages = marts["mart_report_lifecycle_summary"]
    return stages.sort_values("lifecycle_stage_sort_order").set_index("lifecycle_stage_code")


def lifecycle_names(marts: Marts) -> dict[str, tuple[str, str]]:
    lifecycle = marts["mart_account_lifecycle"].drop_duplicates("lifecycle_stage_code")
    return {
        row.lifecycle_stage_code: (row.lifecycle_stage_name_zh, row.lifecycle_stage_name_en)
        for row in lifecycle.itertuples()
    }


def tier_names(marts: Marts) -> dict[str, tuple[str, str]]:
    tiers = marts["mart_account_tiers"].drop_duplicates("value_tier_code")
    return {
        row.value_tier_code: (row.value_tier_name_zh, row.value_tier_name_en)
        for row in tiers.itertuples()
    }


def risk_reasons(marts: Marts) -> pd.DataFrame:
    """mart_report_risk_reasons, fewest accounts first (ties: the signals' order, reversed),
    indexed by signal code."""
    reasons = marts["mart_report_risk_reasons"]
    return reasons.sort_values(
        ["account_count", "signal_sort_order"], ascending=[True, False]
    ).set_index("signal_code")


def at_risk_accounts(marts: Marts) -> pd.DataFrame:
    """mart_report_at_risk_accounts by its rank (risk score, then window revenue)."""
    return marts["mart_report_at_risk_accounts"].sort_values("at_risk_rank").reset_index(drop=True)


# ---- analytics stage and backtests -------------------------------------------------------


def cluster_profiles(marts: Marts) -> pd.DataFrame:
    """mart_cluster_profiles in the clusters' display order (empty when the stage has not
    run or found no clusters)."""
    profiles = marts["mart_cluster_profiles"]
    return profiles.sort_values(["sort_order", "cluster_id"]).reset_index(drop=True)


def cluster_centroids(marts: Marts) -> pd.DataFrame:
    """z-scores of mart_cluster_centroids as clusters (rows, in the profiles' order) x
    features (columns, by feature_sort_order), and the feature labels in that order."""
    centroids = marts["mart_cluster_centroids"]
    grid = centroids.pivot(index="cluster_id", columns="feature_sort_order", values="z_score")
    return grid.reindex(index=cluster_profiles(marts)["cluster_id"]).sort_index(axis=1)


def cluster_features(marts: Marts) -> pd.DataFrame:
    """The features of mart_cluster_centroids (labels zh / en) by feature_sort_order."""
    centroids = marts["mart_cluster_centroids"]
    features = centroids.drop_duplicates("feature_sort_order")
    return features.sort_values("feature_sort_order").reset_index(drop=True)


def cluster_points(marts: Marts) -> pd.DataFrame:
    """mart_account_clusters (2-D projection pca_x / pca_y) by cluster, then account."""
    points = marts["mart_account_clusters"]
    return points.sort_values(["cluster_id", "account_id"]).reset_index(drop=True)


def revenue_forecast(marts: Marts) -> pd.DataFrame:
    """mart_revenue_forecast by region order and month (actual rows, then forecast)."""
    rows = marts["mart_revenue_forecast"].copy()
    rows["month_start"] = pd.to_datetime(rows["month_start"]).dt.date
    return rows.sort_values(["region_sort_order", "region_code", "month_start"]).reset_index(
        drop=True
    )


def model_backtests(marts: Marts) -> pd.DataFrame:
    """mart_model_backtests by model, metric and baseline."""
    rows = marts["mart_model_backtests"]
    return rows.sort_values(["model_name", "metric_name", "baseline_name"]).reset_index(drop=True)


RISK_BACKTEST_LEVELS = ("high", "high_or_medium")


def risk_backtest(marts: Marts) -> pd.DataFrame:
    """The rows of mart_risk_backtest the report shows: the levels high and high + medium at
    the latest snapshot whose 90-day horizon is complete ("last quarter's high-risk
    accounts"), then all snapshots pooled at every horizon."""
    rows = marts["mart_risk_backtest"]
    levels = rows[(rows["group_type"] == "level") & rows["group_code"].isin(RISK_BACKTEST_LEVELS)]
    snapshots = levels[(levels["scope"] == "snapshot") & (levels["horizon_days"] == 90)]
    latest = snapshots[snapshots["snapshot_index"] == snapshots["snapshot_index"].min()]
    pooled = levels[levels["scope"] == "overall"]
    return pd.concat(
        [
            latest.sort_values("group_sort_order"),
            pooled.sort_values(["horizon_days", "group_sort_order"]),
        ]
    ).reset_index(drop=True)


def last_quarter_high_risk(marts: Marts) -> dict[str, object] | None:
    """The high-risk row of the latest complete 90-day snapshot (None without one)."""
    rows = risk_backtest(marts)
    high = rows[(rows["scope"] == "snapshot") & (rows["group_code"] == "high")]
    if high.empty:
        return None
    return {name: plain_value(value) for name, value in high.iloc[0].items()}
