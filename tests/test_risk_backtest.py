"""The risk early warning, measured: levels, backtest and win-back list on the shared clean
build (scale 0.4, seed 7, 2023-07 .. 2024-12), scored against the generator's ground truth.

The bounds of issue 18 are stated for the default sample (scale 1, seed 42, three years);
the same bounds are asserted here on the smaller, shorter test sample, where they hold with
a margin (at the as-of date high 5 %, high + medium 8 % of 190 accounts; pooled backtest
high 9 % of the population with a churn lift of 5.8x / 3.5x over unflagged / all at 90
days). The default sample and a fresh one (seed 20261207, scale 2), before and after:
docs/risk_backtest.md.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from conftest import SAMPLE_END, SAMPLE_SCALE, SAMPLE_START

from ka_pipeline.generator.core import account_paths

pytestmark = pytest.mark.slow

SAMPLE_SEED = 7


def _levels(build) -> dict[str, int]:
    return dict(
        build.query("select risk_level_code, count(*) from marts.mart_account_risk group by 1")
    )


def test_high_is_an_actionable_list_and_high_plus_medium_stays_small(clean_build):
    levels = _levels(clean_build)
    accounts = sum(levels.values())
    high, medium = levels.get("high", 0), levels.get("medium", 0)
    assert high > 0
    assert high / accounts <= 0.15, levels
    assert (high + medium) / accounts < 0.35, levels


def test_backtest_high_churns_at_least_twice_the_base_rate(clean_build):
    rows = clean_build.query(
        "select horizon_days, group_code, flagged_share, churn_rate_flagged, "
        "churn_rate_reference, lift_vs_reference, lift_vs_base, auc_risk_score, "
        "auc_days_since_last_order from marts.mart_risk_backtest "
        "where scope = 'overall' and group_type in ('all', 'level')"
    )
    by = {(r[0], r[1]): r for r in rows}
    assert {h for h, _ in by} == {90, 180}
    for horizon in (90, 180):
        _, _, share, precision, unflagged, lift_ref, lift_base, auc, auc_recency = by[
            (horizon, "high")
        ]
        assert share <= 0.15
        assert precision > unflagged
        assert lift_ref >= 2, by[(horizon, "high")]
        assert lift_base >= 2, by[(horizon, "high")]
        # the score ranks churners at least as well as days since the last purchase alone
        # (this sample: 0.777 vs 0.771 at 90 days, 0.844 vs 0.808 at 180; the default and
        # a fresh sample: docs/risk_backtest.md)
        assert float(auc) >= float(auc_recency), (auc, auc_recency)


def test_backtest_counts_add_up(clean_build):
    bad = clean_build.query(
        "select backtest_key from marts.mart_risk_backtest where "
        "flagged_churned_count > flagged_account_count "
        "or flagged_churned_count > churned_account_count "
        "or flagged_account_count > evaluated_account_count "
        "or (group_code = 'all' and flagged_account_count <> evaluated_account_count)"
    )
    assert bad == []
    # the pooled scope is the sum of the snapshots
    mismatched = clean_build.query(
        "with s as (select horizon_days, group_code, sum(flagged_account_count) f, "
        "sum(flagged_churned_count) c from marts.mart_risk_backtest where scope = 'snapshot' "
        "group by all) select o.backtest_key from marts.mart_risk_backtest o join s "
        "using (horizon_days, group_code) where o.scope = 'overall' "
        "and (o.flagged_account_count <> s.f or o.flagged_churned_count <> s.c)"
    )
    assert mismatched == []


def test_high_risk_accounts_are_enriched_in_truly_churning_ones(clean_build):
    """At each past snapshot, accounts flagged high are far more often on the generator's
    churned path, with their churn day (no order from then on) before the end of the next
    180 days, than unflagged ones (this sample: 50 % against 5 %)."""
    truth = account_paths(SAMPLE_START, SAMPLE_END, seed=SAMPLE_SEED, scale=SAMPLE_SCALE)
    rows = clean_build.query(
        "select s.account_id, s.snapshot_date, s.risk_level_code "
        "from marts_intermediate.int_account_risk_snapshots as s "
        "join marts_intermediate.int_risk_snapshot_dates as d using (snapshot_date) "
        "where d.snapshot_index > 0 and not s.is_win_back and d.days_observed_after >= 180"
    )
    assert rows

    def churns_soon(account_id: str, snapshot: date) -> bool:
        path, day = truth[account_id]
        return path == "churned" and day <= snapshot + timedelta(days=180)

    high = [churns_soon(a, d) for a, d, level in rows if level == "high"]
    unflagged = [churns_soon(a, d) for a, d, level in rows if level in ("low", "none")]
    assert high and unflagged
    rate_high, rate_unflagged = sum(high) / len(high), sum(unflagged) / len(unflagged)
    assert rate_high >= 4 * rate_unflagged, (rate_high, rate_unflagged)


def test_lost_accounts_are_on_the_win_back_list_not_in_the_warning(clean_build):
    truth = account_paths(SAMPLE_START, SAMPLE_END, seed=SAMPLE_SEED, scale=SAMPLE_SCALE)
    ((as_of,),) = clean_build.query("select max(as_of_date) from marts.mart_account_risk")
    win_back = {
        r[0] for r in clean_build.query("select account_id from marts.mart_account_win_back")
    }
    lost = {
        r[0]
        for r in clean_build.query(
            "select account_id from marts.mart_account_risk where risk_level_code = 'lost'"
        )
    }
    assert win_back == lost
    assert not clean_build.query(
        "select account_id from marts.mart_account_risk where is_win_back "
        "and risk_level_code in ('high', 'medium')"
    )
    # accounts the generator churned long enough ago that their last order is 180+ days old
    long_gone = {
        account
        for account, (path, day) in truth.items()
        if path == "churned" and day <= as_of - timedelta(days=200)
    }
    risk_accounts = {
        r[0] for r in clean_build.query("select account_id from marts.mart_account_risk")
    }
    long_gone &= risk_accounts
    assert long_gone
    assert len(long_gone & win_back) / len(long_gone) >= 0.95
    # and the list is mostly truly churned accounts
    churned = {a for a, (path, _) in truth.items() if path == "churned"}
    assert len(win_back & churned) / len(win_back) >= 0.5


def test_every_flagged_account_has_readable_reasons(clean_build):
    missing = clean_build.query(
        "select account_id from marts.mart_account_risk where risk_level_code in "
        "('high', 'medium') and (reasons_en is null or reasons_zh is null "
        "or top_reasons_en is null)"
    )
    assert missing == []
