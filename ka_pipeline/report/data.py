"""Reading the marts and reshaping them for the report.

The marts are the only data source. Every metric is defined in dbt; this module only reads
the marts in one short read-only DuckDB session and reshapes them: filters, pivots, sums of
additive columns (revenue, margin, orders, counts) and ratios of those sums where a chart or
a headline needs a total over several mart rows (e.g. the month's total revenue over all
regions, or the key accounts' share of the window revenue).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd

from ka_pipeline.report.sources import MARTS_READ, MARTS_SCHEMA

AT_RISK_LEVELS = ("high", "medium")
TIER_ORDER = ("vip", "key", "potential", "general")
ABC_ORDER = ("A", "B", "C")
LIFECYCLE_ORDER = ("new", "growth", "stable", "decline", "lost")


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
        self.as_of_date = _to_date(first["as_of_date"])
        self.as_of_date_source = str(first.get("as_of_date_source", ""))
        self.built_at = str(first.get("run_started_at", ""))
        tiers = self["mart_account_tiers"]
        if tiers.empty:
            raise ReportDataError("marts.mart_account_tiers is empty: no account to report on")
        self.window_months = int(tiers["window_months"].iloc[0])
        self.window_start_date = _to_date(self["mart_account_rfm"]["window_start_date"].iloc[0])
        dates = {
            name: sorted({_to_date(v) for v in frame["as_of_date"].dropna().unique()})
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

    @property
    def as_of_month(self) -> date:
        return self.as_of_date.replace(day=1)

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


# ---- reshaping --------------------------------------------------------------------------


def _to_date(value) -> date:
    return pd.Timestamp(value).date()


def _sum(series: pd.Series) -> float | None:
    """Sum of a column; None when every value is missing (so a ratio is 'n/a', not 0)."""
    total = series.sum(min_count=1)
    return None if pd.isna(total) else float(total)


def _ratio(numerator: float | None, denominator: float | None) -> float | None:
    if numerator is None or denominator is None or denominator == 0:
        return None
    return numerator / denominator


def _growth(current: float | None, previous: float | None) -> float | None:
    if current is None or previous is None or previous == 0:
        return None
    return (current - previous) / previous


def region_names(marts: Marts) -> pd.DataFrame:
    """region_code -> region_name_zh / region_name_en (from mart_kpi_monthly)."""
    monthly = marts["mart_kpi_monthly"]
    return (
        monthly[["region_code", "region_name_zh", "region_name_en"]]
        .drop_duplicates("region_code")
        .set_index("region_code")
    )


def dimension_names(marts: Marts, dimension: str) -> pd.DataFrame:
    """<dimension>_code -> <dimension>_name_zh / _en from mart_kpi_monthly (region, industry,
    size_band)."""
    monthly = marts["mart_kpi_monthly"]
    columns = [f"{dimension}_code", f"{dimension}_name_zh", f"{dimension}_name_en"]
    return monthly[columns].drop_duplicates(columns[0]).set_index(columns[0])


def monthly_totals(marts: Marts) -> pd.DataFrame:
    """One row per month: sums over every region x industry x size cell of mart_kpi_monthly,
    with MoM / YoY and the key-account share as ratios of those sums."""
    monthly = marts["mart_kpi_monthly"].copy()
    monthly["month_start"] = pd.to_datetime(monthly["month_start"]).dt.date
    additive = [
        "revenue_cny",
        "margin_cny",
        "order_count",
        "revenue_prev_month_cny",
        "revenue_prev_year_cny",
        "key_account_revenue_cny",
        "key_account_margin_cny",
        "due_cny",
        "collected_cny",
        "survey_count",
        "satisfaction_sum",
    ]
    totals = (
        monthly.groupby(["month_start", "is_complete_month"], as_index=False)[additive]
        .sum(min_count=1)
        .sort_values("month_start")
        .reset_index(drop=True)
    )
    totals["revenue_mom_pct"] = [
        _growth(c, p)
        for c, p in zip(totals.revenue_cny, _nones(totals.revenue_prev_month_cny), strict=True)
    ]
    totals["revenue_yoy_pct"] = [
        _growth(c, p)
        for c, p in zip(totals.revenue_cny, _nones(totals.revenue_prev_year_cny), strict=True)
    ]
    totals["key_account_revenue_share"] = [
        _ratio(k, r)
        for k, r in zip(totals.key_account_revenue_cny, totals.revenue_cny, strict=True)
    ]
    return totals


def quarterly_totals(marts: Marts) -> pd.DataFrame:
    """One row per calendar quarter: revenue and key-account revenue summed from the months,
    QoQ / YoY as ratios of those sums; `is_complete` is false for a quarter still running
    at the as-of date (or that the data does not cover from its first month)."""
    months = monthly_totals(marts)
    starts = pd.to_datetime(months["month_start"])
    months["quarter"] = starts.dt.year.astype(str) + "-Q" + starts.dt.quarter.astype(str)
    quarters = months.groupby("quarter", sort=True).agg(
        revenue_cny=("revenue_cny", "sum"),
        key_account_revenue_cny=("key_account_revenue_cny", "sum"),
        months=("month_start", "count"),
        complete_months=("is_complete_month", "sum"),
    )
    quarters["is_complete"] = (quarters["months"] == 3) & (quarters["complete_months"] == 3)
    revenue = quarters["revenue_cny"].tolist()
    index = list(quarters.index)
    quarters["revenue_qoq_pct"] = [
        _growth(revenue[i], revenue[i - 1])
        if i > 0 and _consecutive(index[i - 1], index[i])
        else None
        for i in range(len(index))
    ]
    by_key = dict(zip(index, revenue, strict=True))
    quarters["revenue_yoy_pct"] = [
        _growth(by_key[q], by_key.get(f"{int(q[:4]) - 1}{q[4:]}")) for q in index
    ]
    quarters["key_account_revenue_share"] = [
        _ratio(k, r)
        for k, r in zip(quarters["key_account_revenue_cny"], quarters["revenue_cny"], strict=True)
    ]
    return quarters


def _consecutive(earlier: str, later: str) -> bool:
    year, quarter = int(earlier[:4]), int(earlier[-1])
    following = (year + 1, 1) if quarter == 4 else (year, quarter + 1)
    return (int(later[:4]), int(later[-1])) == following


def _nones(series: pd.Series) -> list[float | None]:
    return [None if pd.isna(v) else float(v) for v in series]


def last_twelve_months(marts: Marts) -> tuple[date, date]:
    """First and last month of the 12 calendar months ending with the as-of month."""
    last = marts.as_of_month
    first = (pd.Timestamp(last) - pd.DateOffset(months=11)).date()
    return first, last


def headline(marts: Marts) -> dict[str, object]:
    """The headline KPIs of the report (name -> value; None when not measurable)."""
    tiers = marts["mart_account_tiers"]
    key = tiers[tiers["is_key_account"].fillna(False).astype(bool)]
    risk = marts["mart_account_risk"]
    funnel = marts["mart_funnel_stages"]
    months = monthly_totals(marts)
    complete = months[months["is_complete_month"]]
    last = complete.iloc[-1] if not complete.empty else None
    first12, last12 = last_twelve_months(marts)
    recent = months[(months["month_start"] >= first12) & (months["month_start"] <= last12)]

    window_revenue = _sum(tiers["window_revenue_cny"]) or 0.0
    key_revenue = _sum(key["window_revenue_cny"]) or 0.0
    window_margin = _sum(tiers["window_margin_cny"]) or 0.0
    key_margin = _sum(key["window_margin_cny"]) or 0.0
    at_risk = risk[risk["risk_level_code"].isin(AT_RISK_LEVELS)]
    key_ids = set(key["account_id"])
    won = funnel.loc[funnel["stage_code"] == "won", "conversion_from_lead_rate"]
    return {
        "as_of_date": marts.as_of_date,
        "key_account_count": len(key),
        "vip_count": int((tiers["value_tier_code"] == "vip").sum()),
        "key_tier_count": int((tiers["value_tier_code"] == "key").sum()),
        "account_count": len(tiers),
        "window_revenue_cny": window_revenue,
        "key_account_revenue_cny": key_revenue,
        "key_account_revenue_share": _ratio(key_revenue, window_revenue),
        "window_margin_cny": window_margin,
        "key_account_margin_cny": key_margin,
        "key_account_margin_share": _ratio(key_margin, window_margin),
        "gross_margin_pct": _ratio(window_margin, window_revenue),
        "avg_revenue_per_key_account": _ratio(key_revenue, len(key)),
        "aov_cny": _ratio(window_revenue, _sum(tiers["window_order_count"])),
        "last_month": None if last is None else last["month_start"],
        "last_month_revenue_cny": None if last is None else float(last["revenue_cny"]),
        "last_month_mom_pct": None if last is None else last["revenue_mom_pct"],
        "last_month_yoy_pct": None if last is None else last["revenue_yoy_pct"],
        "at_risk_count": len(at_risk),
        "high_risk_count": int((risk["risk_level_code"] == "high").sum()),
        "medium_risk_count": int((risk["risk_level_code"] == "medium").sum()),
        "key_at_risk_count": int(at_risk["account_id"].isin(key_ids).sum()),
        "win_rate": None if won.empty or pd.isna(won.iloc[0]) else float(won.iloc[0]),
        "collection_rate_12m": _ratio(_sum(recent["collected_cny"]), _sum(recent["due_cny"])),
        "satisfaction_avg_12m": _ratio(
            _sum(recent["satisfaction_sum"]), _sum(recent["survey_count"])
        ),
        "first_month_12m": first12,
        "last_month_12m": last12,
    }


def region_summary(marts: Marts) -> pd.DataFrame:
    """Per region: key-account count and window revenue of key and other accounts."""
    tiers = marts["mart_account_tiers"].copy()
    tiers["is_key"] = tiers["is_key_account"].fillna(False).astype(bool)
    tiers["key_revenue"] = tiers["window_revenue_cny"].where(tiers["is_key"], 0.0)
    tiers["other_revenue"] = tiers["window_revenue_cny"].where(~tiers["is_key"], 0.0)
    summary = tiers.groupby("region_code").agg(
        key_account_count=("is_key", "sum"),
        account_count=("account_id", "count"),
        key_revenue_cny=("key_revenue", "sum"),
        other_revenue_cny=("other_revenue", "sum"),
    )
    summary = summary.join(region_names(marts), how="left")
    summary["region_name_zh"] = summary["region_name_zh"].fillna("未知")
    summary["region_name_en"] = summary["region_name_en"].fillna("Unknown")
    summary["revenue_cny"] = summary["key_revenue_cny"] + summary["other_revenue_cny"]
    return summary.sort_values(["key_account_count", "revenue_cny"], ascending=False)


def tier_summary(marts: Marts) -> pd.DataFrame:
    tiers = marts["mart_account_tiers"]
    summary = tiers.groupby("value_tier_code").agg(
        accounts=("account_id", "count"),
        revenue_cny=("window_revenue_cny", "sum"),
        value_tier_name_zh=("value_tier_name_zh", "first"),
        value_tier_name_en=("value_tier_name_en", "first"),
    )
    summary["revenue_share"] = summary["revenue_cny"] / summary["revenue_cny"].sum()
    order = [c for c in TIER_ORDER if c in summary.index] + [
        c for c in summary.index if c not in TIER_ORDER
    ]
    return summary.loc[order]


def abc_summary(marts: Marts) -> pd.DataFrame:
    tiers = marts["mart_account_tiers"]
    summary = tiers.groupby("abc_class").agg(
        accounts=("account_id", "count"), revenue_cny=("window_revenue_cny", "sum")
    )
    summary["revenue_share"] = summary["revenue_cny"] / summary["revenue_cny"].sum()
    return summary.reindex([c for c in ABC_ORDER if c in summary.index])


def rfm_grid(marts: Marts) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(window revenue, account count) pivoted on R score (rows, 5 first) x F score (cols)."""
    rfm = marts["mart_account_rfm"]
    scores = list(range(1, 6))
    revenue = rfm.pivot_table(
        index="r_score", columns="f_score", values="monetary_revenue_cny", aggfunc="sum"
    ).reindex(index=scores[::-1], columns=scores)
    count = rfm.pivot_table(
        index="r_score", columns="f_score", values="account_id", aggfunc="count"
    ).reindex(index=scores[::-1], columns=scores)
    return revenue.fillna(0.0), count.fillna(0).astype(int)


def segment_summary(marts: Marts) -> pd.DataFrame:
    rfm = marts["mart_account_rfm"]
    return (
        rfm.groupby("segment_code")
        .agg(
            accounts=("account_id", "count"),
            revenue_cny=("monetary_revenue_cny", "sum"),
            segment_name_zh=("segment_name_zh", "first"),
            segment_name_en=("segment_name_en", "first"),
            value_group_code=("value_group_code", "first"),
        )
        .sort_values("accounts", ascending=True)
    )


def value_groups(marts: Marts) -> dict[str, tuple[str, str]]:
    """RFM value group code -> (zh, en) name, in the mart's order of first appearance."""
    rfm = marts["mart_account_rfm"].dropna(subset=["value_group_code"])
    rfm = rfm.drop_duplicates("value_group_code")
    order = ["high_value", "potential", "general", "churn_risk"]
    groups = {
        row.value_group_code: (row.value_group_name_zh, row.value_group_name_en)
        for row in rfm.itertuples()
    }
    return {
        code: groups[code]
        for code in sorted(groups, key=lambda c: (order.index(c) if c in order else len(order), c))
    }


def top_accounts(marts: Marts, metric: str) -> pd.DataFrame:
    """mart_top_accounts for one ranking_metric (revenue | gross_profit), by rank."""
    top = marts["mart_top_accounts"]
    ranked = top[top["ranking_metric"] == metric].sort_values("rank_position")
    names = region_names(marts)
    return ranked.join(names, on="region_code").reset_index(drop=True)


def category_shares(marts: Marts) -> pd.DataFrame:
    """Per product category over the last 12 months: revenue and volume and their shares."""
    products = marts["mart_kpi_by_product"].copy()
    products["month_start"] = pd.to_datetime(products["month_start"]).dt.date
    first, last = last_twelve_months(marts)
    recent = products[(products["month_start"] >= first) & (products["month_start"] <= last)]
    summary = recent.groupby("category").agg(
        revenue_cny=("revenue_cny", "sum"), quantity=("quantity", "sum")
    )
    summary["revenue_share"] = summary["revenue_cny"] / summary["revenue_cny"].sum()
    summary["volume_share"] = summary["quantity"] / summary["quantity"].sum()
    return summary.sort_values("revenue_share", ascending=True)


def funnel(marts: Marts) -> pd.DataFrame:
    return marts["mart_funnel_stages"].sort_values("stage_order").reset_index(drop=True)


def lifecycle_summary(marts: Marts) -> pd.DataFrame:
    lifecycle = marts["mart_account_lifecycle"]
    summary = lifecycle.groupby("lifecycle_stage_code").agg(
        accounts=("account_id", "count"),
        recent_revenue_cny=("recent_revenue_cny", "sum"),
        lifecycle_stage_name_zh=("lifecycle_stage_name_zh", "first"),
        lifecycle_stage_name_en=("lifecycle_stage_name_en", "first"),
    )
    order = [c for c in LIFECYCLE_ORDER if c in summary.index] + [
        c for c in summary.index if c not in LIFECYCLE_ORDER
    ]
    return summary.loc[order]


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
    """Per signal: the accounts at risk (level high or medium) with it, by level, and how many
    of them are key accounts."""
    signals = marts["mart_account_risk_signals"]
    risk = marts["mart_account_risk"][["account_id", "risk_level_code"]]
    tiers = marts["mart_account_tiers"][["account_id", "is_key_account"]]
    joined = signals.merge(risk, on="account_id", how="inner").merge(
        tiers, on="account_id", how="left"
    )
    joined = joined[joined["risk_level_code"].isin(AT_RISK_LEVELS)]
    joined["is_key"] = joined["is_key_account"].fillna(False).astype(bool)
    joined["is_high"] = joined["risk_level_code"] == "high"
    summary = joined.groupby("signal_code").agg(
        accounts=("account_id", "nunique"),
        high_accounts=("is_high", "sum"),
        key_accounts=("is_key", "sum"),
        signal_name_zh=("signal_name_zh", "first"),
        signal_name_en=("signal_name_en", "first"),
        sort_order=("signal_sort_order", "first"),
    )
    summary["medium_accounts"] = summary["accounts"] - summary["high_accounts"]
    return summary.sort_values(["accounts", "sort_order"], ascending=[True, False])


def at_risk_accounts(marts: Marts) -> pd.DataFrame:
    """Accounts with a high or medium risk level, by risk score and window revenue."""
    risk = marts["mart_account_risk"]
    tiers = marts["mart_account_tiers"][
        ["account_id", "is_key_account", "value_tier_code", "window_revenue_cny"]
    ]
    at_risk = risk[risk["risk_level_code"].isin(AT_RISK_LEVELS)].merge(
        tiers, on="account_id", how="left"
    )
    at_risk["is_key_account"] = at_risk["is_key_account"].fillna(False).astype(bool)
    at_risk = at_risk.join(region_names(marts), on="region_code")
    return at_risk.sort_values(
        ["risk_score", "window_revenue_cny", "account_id"], ascending=[False, False, True]
    ).reset_index(drop=True)
