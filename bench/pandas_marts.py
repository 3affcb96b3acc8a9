"""What an analyst would write instead: the RFM, tier and monthly-KPI marts in pandas.

Straight from the landing files (one CSV per day and entity, read with pandas and
concatenated) and the reference CSVs in dbt_project/seeds: join, groupby, rank. Parameters
are the dbt_project.yml defaults. Money is summed in integer fen (cents) so totals and
rank ties are exact, as the warehouse's decimals are.

It implements the marts' definitions (see dbt_project/models/marts) for clean data: the
staging layer's quarantine rules are not repeated here, only its de-duplication (a later
delivery of an order or line wins) and the label mapping through the alias seeds.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ka_pipeline.settings import DBT_PROJECT_DIR

SEEDS = DBT_PROJECT_DIR / "seeds"
RFM_WINDOW_MONTHS = 12
RFM_CUTOFFS = (0.2, 0.4, 0.6, 0.8)
TIER_VIP_MIN_FEN = 2_000_000 * 100
TIER_KEY_MIN_FEN = 500_000 * 100
TIER_POTENTIAL_MIN_RFM = 10
ABC_A_MAX_SHARE, ABC_B_MAX_SHARE = 0.70, 0.90


@dataclass
class ComparatorMarts:
    """The three marts of a comparator (this module, bench/duckdb_marts.py)."""

    as_of_date: pd.Timestamp
    rfm: pd.DataFrame  # account_id, recency_days, frequency_orders, monetary_fen, scores
    tiers: pd.DataFrame  # account_id, value_tier_code, abc_class
    kpi_monthly: pd.DataFrame  # month_start, region, industry, size band, revenue_fen


def _read_daily(landing: Path, folder: str, days: set[str] | None) -> pd.DataFrame:
    """Every daily CSV of an entity, concatenated in delivery order, all text."""
    files = sorted(
        p for p in (landing / folder).glob("*.csv") if days is None or p.stem[-10:] in days
    )
    frames = [pd.read_csv(p, dtype=str, keep_default_na=False, na_values=[""]) for p in files]
    return pd.concat(frames, ignore_index=True)


def _normalise(labels: pd.Series) -> pd.Series:
    return labels.str.strip().str.replace(r"[\s\u3000]", "", regex=True).str.lower()


def _completed_orders(landing: Path, days: set[str] | None) -> pd.DataFrame:
    orders = _read_daily(landing, "erp/orders", days)
    lines = _read_daily(landing, "erp/order_lines", days)
    orders = orders.drop_duplicates("order_id", keep="last")
    lines = lines.drop_duplicates(["order_id", "line_no"], keep="last")
    orders["order_date"] = pd.to_datetime(orders["order_date"])
    orders["account_id"] = orders["account_id"].fillna("UNKNOWN")
    orders["status"] = _normalise(orders["status"])
    quantity = lines["quantity"].astype(float)
    price = lines["unit_price_cny"].astype(float)
    discount = lines["discount_pct"].astype(float).fillna(0.0)
    # half-up to the fen, as cast(... as decimal(18, 2)) does
    lines["revenue_fen"] = np.floor(quantity * price * (1 - discount) * 100 + 0.5 + 1e-7).astype(
        "int64"
    )
    merged = lines[["order_id", "revenue_fen"]].merge(
        orders[["order_id", "account_id", "order_date", "status"]], on="order_id"
    )
    newest = orders["order_date"].max()
    as_of = newest - pd.Timedelta(days=1)
    completed = merged[(merged["status"] == "completed") & (merged["order_date"] <= as_of)]
    per_order = completed.groupby(["order_id", "account_id", "order_date"], as_index=False)[
        "revenue_fen"
    ].sum()
    per_order.attrs["as_of"] = as_of
    return per_order


def _score(position: pd.Series) -> pd.Series:
    score = pd.Series(1, index=position.index)
    for cutoff in RFM_CUTOFFS:
        score += (position >= cutoff).astype(int)
    return score


def rfm_scores(orders: pd.DataFrame, as_of: pd.Timestamp) -> pd.DataFrame:
    known = orders[orders["account_id"] != "UNKNOWN"]
    window_start = as_of - pd.DateOffset(months=RFM_WINDOW_MONTHS) + pd.Timedelta(days=1)
    in_window = known[known["order_date"] >= window_start]
    rfm = known.groupby("account_id").agg(last_order_date=("order_date", "max"))
    window = in_window.groupby("account_id").agg(
        frequency_orders=("order_id", "count"), monetary_fen=("revenue_fen", "sum")
    )
    rfm = rfm.join(window).fillna({"frequency_orders": 0, "monetary_fen": 0})
    rfm["recency_days"] = (as_of - rfm["last_order_date"]).dt.days
    n = len(rfm)
    rfm["r_score"] = _score((rfm["recency_days"].rank(method="min", ascending=False) - 1) / n)
    rfm["f_score"] = _score((rfm["frequency_orders"].rank(method="min") - 1) / n)
    rfm["m_score"] = _score((rfm["monetary_fen"].rank(method="min") - 1) / n)
    rfm["rfm_score"] = rfm["r_score"] + rfm["f_score"] + rfm["m_score"]
    rules = pd.read_csv(SEEDS / "marts" / "rfm_segment_rules.csv").sort_values("rule_priority")
    rfm["segment_code"] = None
    for rule in rules.itertuples():
        match = (
            rfm["segment_code"].isna()
            & rfm["r_score"].between(rule.r_score_min, rule.r_score_max)
            & rfm["f_score"].between(rule.f_score_min, rule.f_score_max)
            & rfm["m_score"].between(rule.m_score_min, rule.m_score_max)
        )
        rfm.loc[match, "segment_code"] = rule.segment_code
    return rfm.reset_index()


def value_tiers(rfm: pd.DataFrame) -> pd.DataFrame:
    tiers = rfm[["account_id", "monetary_fen", "rfm_score"]].sort_values(
        ["monetary_fen", "account_id"], ascending=[False, True]
    )
    total = tiers["monetary_fen"].sum()
    share = (tiers["monetary_fen"].cumsum() / total).round(10) if total else 0.0
    tiers["value_tier_code"] = np.select(
        [
            tiers["monetary_fen"] >= TIER_VIP_MIN_FEN,
            tiers["monetary_fen"] >= TIER_KEY_MIN_FEN,
            tiers["rfm_score"] >= TIER_POTENTIAL_MIN_RFM,
        ],
        ["vip", "key", "potential"],
        "general",
    )
    rank = np.arange(1, len(tiers) + 1)
    tiers["abc_class"] = np.select(
        [
            tiers["monetary_fen"] <= 0,
            rank == 1,
            share <= ABC_A_MAX_SHARE,
            share <= ABC_B_MAX_SHARE,
        ],
        ["C", "A", "A", "B"],
        "C",
    )
    return tiers[["account_id", "value_tier_code", "abc_class"]].reset_index(drop=True)


def accounts_as_of(landing: Path, days: set[str] | None, as_of: pd.Timestamp) -> pd.DataFrame:
    """Each account's latest CRM record updated on or before the as-of day, with codes."""
    accounts = _read_daily(landing, "crm/accounts", days)
    accounts["updated_at"] = pd.to_datetime(accounts["updated_at"])
    last_day = as_of + pd.Timedelta(days=1)
    valid = accounts[accounts["updated_at"] < last_day]
    latest = valid.sort_values("updated_at").drop_duplicates("account_id", keep="last")
    # an account first recorded after the as-of day keeps its current attributes
    current = accounts.sort_values("updated_at").drop_duplicates("account_id", keep="last")
    latest = pd.concat([latest, current[~current["account_id"].isin(latest["account_id"])]])
    industries = pd.read_csv(SEEDS / "industry_aliases.csv", dtype=str)
    provinces = pd.read_csv(SEEDS / "province_aliases.csv", dtype=str).merge(
        pd.read_csv(SEEDS / "provinces.csv", dtype=str), on="province_code"
    )
    industry = dict(zip(_normalise(industries["alias"]), industries["industry_code"], strict=True))
    region = dict(zip(_normalise(provinces["alias"]), provinces["region_code"], strict=True))
    bands = pd.read_csv(SEEDS / "revenue_bands.csv").sort_values("min_revenue_cny")
    revenue = latest["annual_revenue_cny"].astype(float)
    band_index = np.searchsorted(bands["min_revenue_cny"].to_numpy(), revenue, side="right") - 1
    return pd.DataFrame(
        {
            "account_id": latest["account_id"].to_numpy(),
            "region_code": _normalise(latest["province"]).map(region).fillna("UNKNOWN").to_numpy(),
            "industry_code": _normalise(latest["industry"])
            .map(industry)
            .fillna("UNKNOWN")
            .to_numpy(),
            "size_band_code": np.where(
                revenue.isna() | (band_index < 0),
                "UNKNOWN",
                bands["revenue_band_code"].to_numpy()[band_index.clip(0)],
            ),
        }
    )


def kpi_monthly_revenue(orders: pd.DataFrame, accounts: pd.DataFrame) -> pd.DataFrame:
    orders = orders.assign(month_start=orders["order_date"].dt.to_period("M").dt.to_timestamp())
    cells = orders.merge(accounts, on="account_id", how="left").fillna(
        {"region_code": "UNKNOWN", "industry_code": "UNKNOWN", "size_band_code": "UNKNOWN"}
    )
    return cells.groupby(
        ["month_start", "region_code", "industry_code", "size_band_code"], as_index=False
    )["revenue_fen"].sum()


def build_marts(landing: Path, days: set[str] | None = None) -> ComparatorMarts:
    """The three marts from the landing files (of `days`, default every delivered day)."""
    orders = _completed_orders(landing, days)
    as_of = orders.attrs["as_of"]
    rfm = rfm_scores(orders, as_of)
    return ComparatorMarts(
        as_of_date=as_of,
        rfm=rfm,
        tiers=value_tiers(rfm),
        kpi_monthly=kpi_monthly_revenue(orders, accounts_as_of(landing, days, as_of)),
    )


def days_to_read(landing: Path, exclude_day: str | None) -> set[str] | None:
    """The delivered days (of the order files) but `exclude_day`; None: every day."""
    if not exclude_day:
        return None
    return {p.stem[-10:] for p in (landing / "erp" / "orders").glob("*.csv")} - {exclude_day}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build the pandas marts once, timed.")
    parser.add_argument("--landing", type=Path, required=True)
    parser.add_argument("--exclude-day", help="a delivered day to leave out (YYYY-MM-DD)")
    args = parser.parse_args(argv)
    days = days_to_read(args.landing, args.exclude_day)
    started = time.perf_counter()
    marts = build_marts(args.landing, days)
    print(
        json.dumps(
            {
                "total_s": time.perf_counter() - started,
                "as_of_date": marts.as_of_date.date().isoformat(),
                "rfm_rows": len(marts.rfm),
                "kpi_rows": len(marts.kpi_monthly),
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
