"""Value tiers for a company of another size or currency: absolute CNY thresholds leave the
VIP and key tiers empty (and a warning says so), relative thresholds fill them.

A private copy of the clean build has its tiers and review list rebuilt, through
`ka-pipeline dbt`, with thresholds a thousand times the sample's largest account (as an
export in a currency with small units, or a small company, would see them)."""

from __future__ import annotations

import json

import pytest
from conftest import Workspace, copy_build, make_workspace

pytestmark = pytest.mark.slow

FOREIGN_SCALE = {"tier_vip_min_revenue_cny": 10**12, "tier_key_min_revenue_cny": 10**11}
RELATIVE = {"tier_vip_top_account_share": 0.05, "tier_key_top_account_share": 0.2}


@pytest.fixture(scope="module")
def copy(clean_build, tmp_path_factory) -> Workspace:
    root = tmp_path_factory.mktemp("relative_tiers")
    copy_build(clean_build, root)
    return Workspace(root)


def rebuild_tiers(ws: Workspace, dbt_vars: dict) -> str:
    result = ws.cli(
        # the tiers and the review list built from them (with the tests of both, not of
        # marts left as they were)
        "dbt", "build", "--select", "mart_account_tiers", "mart_key_account_review",
        "--indirect-selection", "cautious", "--vars", json.dumps(dbt_vars),
        "--exclude-resource-type", "unit_test", "--target-path", str(ws.root / "target"),
        check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-3000:]
    return result.stdout


def tier_counts(ws: Workspace) -> dict[str, int]:
    return dict(
        ws.query("select value_tier_code, count(*) from marts.mart_account_tiers group by 1")
    )


def test_absolute_thresholds_that_fit_nobody_leave_the_key_tiers_empty_with_a_warning(copy):
    output = rebuild_tiers(copy, FOREIGN_SCALE)
    assert "vip" not in tier_counts(copy) and "key" not in tier_counts(copy)
    assert "WARN" in output and "assert_key_account_tiers_are_not_empty" in output


def test_relative_thresholds_give_the_top_accounts_whatever_the_currency(copy):
    rebuild_tiers(copy, {**FOREIGN_SCALE, **RELATIVE})
    counts = tier_counts(copy)
    buying = copy.query(
        "select count(*) from marts.mart_account_tiers where window_revenue_cny > 0"
    )
    (buying,) = buying[0]
    assert counts["vip"] == -(-buying * 5 // 100)  # ceil(5 % of buying accounts)
    assert counts["vip"] + counts["key"] == -(-buying * 20 // 100)
    largest = copy.query(
        "select value_tier_code from marts.mart_account_tiers order by revenue_rank limit 1"
    )
    assert largest == [("vip",)]


def test_a_share_outside_0_1_is_refused(tmp_path):
    ws = make_workspace(tmp_path)
    result = ws.cli("dbt", "compile", "--select", "mart_account_tiers", "--vars",
                    "{tier_vip_top_account_share: 5}", "--target-path", str(tmp_path / "target"),
                    check=False)  # fmt: skip
    assert result.returncode != 0
    assert "tier_vip_top_account_share=5" in result.stdout and "0 < share <= 1" in result.stdout
