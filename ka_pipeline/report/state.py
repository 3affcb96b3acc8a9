"""Week-over-week changes: a small account-grain snapshot per report week.

The marts are rebuilt at one as-of date and keep no history of tiers or risk levels, so
each report stores the state it reported on next to its outputs
(`<output>/reports/<week>/state.parquet`: account, value tier, key-account flag, ABC class,
risk level and score, lifecycle stage, owner rep, and the marts' as-of date). The next
week's report compares its own state with the newest earlier snapshot:

- new key accounts: key account now, not (or not yet an account) in the earlier snapshot;
- no longer key accounts: the reverse;
- tier moves: accounts present in both snapshots whose value tier changed;
- newly at risk: risk level high or medium now, low / none / absent before;
- recovered: high or medium before, low or none now;
- lifecycle flow: previous stage x current stage counts.

The comparison is only as good as the snapshots: the report says which week the earlier
snapshot is from, when it is not the week just before, and when both were taken from marts
with the same as-of date (then no change can be measured and none is claimed). The first
report has no earlier snapshot and says "no previous week".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd

from ka_pipeline.report.data import AT_RISK_LEVELS, TIER_ORDER, Marts
from ka_pipeline.report.weeks import ReportWeek, is_week_label

STATE_FILE = "state.parquet"
STATE_COLUMNS = (
    "account_id",
    "account_name",
    "owner_rep_name",
    "value_tier_code",
    "is_key_account",
    "abc_class",
    "risk_level_code",
    "risk_score",
    "lifecycle_stage_code",
    "window_revenue_cny",
    "as_of_date",
)


def account_state(marts: Marts) -> pd.DataFrame:
    """The account-grain state the report is about (one row per account of the tiers mart)."""
    tiers = marts["mart_account_tiers"][
        [
            "account_id",
            "account_name",
            "value_tier_code",
            "is_key_account",
            "abc_class",
            "window_revenue_cny",
        ]
    ]
    risk = marts["mart_account_risk"][
        ["account_id", "owner_rep_name", "risk_level_code", "risk_score"]
    ]
    lifecycle = marts["mart_account_lifecycle"][["account_id", "lifecycle_stage_code"]]
    state = tiers.merge(risk, on="account_id", how="left").merge(
        lifecycle, on="account_id", how="left"
    )
    state["is_key_account"] = state["is_key_account"].fillna(False).astype(bool)
    state["risk_level_code"] = state["risk_level_code"].fillna("none")
    state["as_of_date"] = marts.as_of_date
    return state[list(STATE_COLUMNS)].sort_values("account_id").reset_index(drop=True)


def write_state(state: pd.DataFrame, folder: Path) -> Path:
    path = folder / STATE_FILE
    frame = state.copy()
    frame["as_of_date"] = pd.to_datetime(frame["as_of_date"])
    frame.to_parquet(path, index=False)
    return path


def read_state(path: Path) -> pd.DataFrame:
    frame = pd.read_parquet(path)
    frame["as_of_date"] = pd.to_datetime(frame["as_of_date"]).dt.date
    return frame


@dataclass(frozen=True)
class PreviousSnapshot:
    week: ReportWeek
    state: pd.DataFrame

    @property
    def as_of_date(self) -> date | None:
        dates = self.state["as_of_date"].dropna()
        return None if dates.empty else dates.iloc[0]


def previous_snapshot(reports_dir: Path, week: ReportWeek) -> PreviousSnapshot | None:
    """The newest snapshot of a week before `week` under `reports_dir`, if any."""
    if not reports_dir.is_dir():
        return None
    earlier = sorted(
        (
            ReportWeek.parse(child.name)
            for child in reports_dir.iterdir()
            if child.is_dir() and is_week_label(child.name) and (child / STATE_FILE).is_file()
        ),
        reverse=True,
    )
    for candidate in earlier:
        if candidate < week:
            return PreviousSnapshot(
                candidate, read_state(reports_dir / candidate.label / STATE_FILE)
            )
    return None


@dataclass
class Changes:
    previous: PreviousSnapshot | None
    new_key_accounts: pd.DataFrame = field(default_factory=pd.DataFrame)
    dropped_key_accounts: pd.DataFrame = field(default_factory=pd.DataFrame)
    tier_moves: pd.DataFrame = field(default_factory=pd.DataFrame)
    newly_at_risk: pd.DataFrame = field(default_factory=pd.DataFrame)
    recovered: pd.DataFrame = field(default_factory=pd.DataFrame)
    lifecycle_flow: pd.DataFrame = field(default_factory=pd.DataFrame)
    same_as_of: bool = False

    @property
    def has_previous(self) -> bool:
        return self.previous is not None

    def counts(self) -> dict[str, int]:
        return {
            "new_key_accounts": len(self.new_key_accounts),
            "dropped_key_accounts": len(self.dropped_key_accounts),
            "tier_moves": len(self.tier_moves),
            "newly_at_risk": len(self.newly_at_risk),
            "recovered": len(self.recovered),
        }


def compare(current: pd.DataFrame, previous: PreviousSnapshot | None) -> Changes:
    """What changed between the previous snapshot and the current state."""
    if previous is None:
        return Changes(previous=None)
    before = previous.state.set_index("account_id")
    now = current.set_index("account_id")
    # outer: an account can also vanish (marts rebuilt for an earlier as-of date)
    joined = now.merge(
        before, how="outer", left_index=True, right_index=True, suffixes=("", "_prev")
    )
    joined["account_name"] = joined["account_name"].fillna(joined["account_name_prev"])
    joined["owner_rep_name"] = joined["owner_rep_name"].fillna(joined["owner_rep_name_prev"])
    is_key = joined["is_key_account"].astype("boolean").fillna(False).astype(bool)
    was_key = joined["is_key_account_prev"].astype("boolean").fillna(False).astype(bool)
    level = joined["risk_level_code"].fillna("none")
    prev_level = joined["risk_level_code_prev"].fillna("none")
    in_both = joined["value_tier_code"].notna() & joined["value_tier_code_prev"].notna()

    new_key = joined[is_key & ~was_key]
    dropped = joined[~is_key & was_key]
    moves = joined[in_both & (joined["value_tier_code"] != joined["value_tier_code_prev"])].copy()
    rank = {code: i for i, code in enumerate(TIER_ORDER)}
    moves["direction"] = [
        "up" if rank.get(now_, 9) < rank.get(prev, 9) else "down"
        for now_, prev in zip(moves["value_tier_code"], moves["value_tier_code_prev"], strict=True)
    ]
    newly = joined[level.isin(AT_RISK_LEVELS) & ~prev_level.isin(AT_RISK_LEVELS)]
    recovered = joined[~level.isin(AT_RISK_LEVELS) & prev_level.isin(AT_RISK_LEVELS)].copy()
    recovered["risk_level_code"] = level[recovered.index]
    flow = (
        joined[in_both]
        .groupby(["lifecycle_stage_code_prev", "lifecycle_stage_code"])
        .size()
        .rename("accounts")
        .reset_index()
    )

    def ordered(frame: pd.DataFrame, by: str = "window_revenue_cny") -> pd.DataFrame:
        key = frame[by].fillna(frame.get(f"{by}_prev", 0)).fillna(0)
        return (
            frame.assign(_key=key)
            .sort_values(["_key", "account_id"], ascending=[False, True])
            .drop(columns="_key")
            .reset_index()
        )

    return Changes(
        previous=previous,
        new_key_accounts=ordered(new_key),
        dropped_key_accounts=ordered(dropped),
        tier_moves=ordered(moves),
        newly_at_risk=ordered(newly, "risk_score"),
        recovered=ordered(recovered),
        lifecycle_flow=flow,
        same_as_of=previous.as_of_date == _first(current["as_of_date"]),
    )


def _first(series: pd.Series):
    series = series.dropna()
    return None if series.empty else series.iloc[0]
