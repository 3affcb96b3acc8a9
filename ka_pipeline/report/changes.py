"""Week-over-week changes, as the marts hold them.

The warehouse keeps the account state of every as-of date (dbt model
mart_report_account_state_history, kept across full refreshes); mart_report_comparison
picks the state to compare with (the newest at least 7 days before the as-of date: the
previous week's), mart_report_account_changes lists the accounts that changed and
mart_report_lifecycle_flow counts the lifecycle stage moves. The rules (what is a key
account, which risk levels are "at risk", which tier move is up) live in those models
and their seeds; this module only selects each kind of change in the mart's order.

The report says which week the earlier state is from (and when it is not the week just
before); the first report has no earlier state and says "no previous week".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from ka_pipeline.report.data import Marts, plain_value, to_date
from ka_pipeline.report.weeks import ReportWeek

# report section -> change_type of mart_report_account_changes
CHANGE_TYPES = {
    "new_key_accounts": "new_key_account",
    "dropped_key_accounts": "dropped_key_account",
    "tier_moves": "tier_move",
    "newly_at_risk": "newly_at_risk",
    "recovered": "recovered",
}


@dataclass(frozen=True)
class PreviousState:
    """The earlier account state the changes are measured against."""

    as_of_date: date

    @property
    def week(self) -> ReportWeek:
        return ReportWeek.latest_complete(self.as_of_date)


@dataclass
class Changes:
    previous: PreviousState | None
    new_key_accounts: pd.DataFrame = field(default_factory=pd.DataFrame)
    dropped_key_accounts: pd.DataFrame = field(default_factory=pd.DataFrame)
    tier_moves: pd.DataFrame = field(default_factory=pd.DataFrame)
    newly_at_risk: pd.DataFrame = field(default_factory=pd.DataFrame)
    recovered: pd.DataFrame = field(default_factory=pd.DataFrame)
    lifecycle_flow: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def has_previous(self) -> bool:
        return self.previous is not None

    def counts(self) -> dict[str, int]:
        return {name: len(getattr(self, name)) for name in CHANGE_TYPES}


def week_over_week(marts: Marts) -> Changes:
    """The changes since the previous week's account state (none without one)."""
    comparison = marts["mart_report_comparison"]
    previous = None if comparison.empty else plain_value(comparison["previous_as_of_date"].iloc[0])
    if previous is None:
        return Changes(previous=None)
    changes = marts["mart_report_account_changes"]
    by_type = {
        name: changes[changes["change_type"] == change_type]
        .sort_values("change_rank")
        .reset_index(drop=True)
        for name, change_type in CHANGE_TYPES.items()
    }
    return Changes(
        previous=PreviousState(to_date(previous)),
        lifecycle_flow=marts["mart_report_lifecycle_flow"],
        **by_type,
    )
