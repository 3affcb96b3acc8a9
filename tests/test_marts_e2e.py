"""The BI-facing marts on a generated sample built through Dagster (dbt unit and data
tests run inside that build; these check what a BI user sees)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.slow

MARTS = (
    "mart_account_rfm", "mart_account_tiers", "mart_account_lifecycle", "mart_account_risk",
    "mart_account_risk_signals", "mart_kpi_monthly", "mart_kpi_by_rep", "mart_kpi_by_product",
    "mart_top_accounts", "mart_funnel_stages", "mart_funnel_cycle_cross",
    "mart_key_account_review", "mart_run_parameters",
)  # fmt: skip


def test_every_mart_is_built_and_non_empty(clean_build):
    for mart in MARTS:
        (rows,) = clean_build.query(f"select count(*) from marts.{mart}")[0]
        assert rows > 0, f"marts.{mart} is empty"


def test_rfm_scores_and_segments_are_complete(clean_build):
    rows = clean_build.query(
        "select min(r_score), max(r_score), min(f_score), max(f_score), min(m_score), "
        "max(m_score), count(*) filter (where segment_code is null) from marts.mart_account_rfm"
    )[0]
    assert rows == (1, 5, 1, 5, 1, 5, 0)


def test_tiers_and_abc_are_not_degenerate(clean_build):
    tiers = dict(
        clean_build.query(
            "select value_tier_code, count(*) from marts.mart_account_tiers group by 1"
        )
    )
    assert set(tiers) == {"vip", "key", "potential", "general"}
    abc = dict(
        clean_build.query("select abc_class, count(*) from marts.mart_account_tiers group by 1")
    )
    assert set(abc) == {"A", "B", "C"}
    # Pareto: class A is a minority of accounts
    assert abc["A"] < abc["C"]


def test_window_revenue_reconciles_with_order_lines(clean_build):
    (mart_revenue,) = clean_build.query(
        "select sum(monetary_revenue_cny) from marts.mart_account_rfm"
    )[0]
    (fact_revenue,) = clean_build.query(
        "select sum(revenue_cny) from core.fct_order_lines where is_completed "
        "and order_date >= (select min(window_start_date) from marts.mart_account_rfm) "
        "and order_date <= (select max(as_of_date) from marts.mart_account_rfm)"
    )[0]
    assert mart_revenue > 0
    assert mart_revenue == fact_revenue


def test_risk_signals_carry_readable_reasons_and_the_review_has_actions(clean_build):
    empty = clean_build.query(
        "select count(*) from marts.mart_account_risk_signals where reason_zh is null "
        "or reason_en is null or length(reason_en) < 10"
    )
    assert empty == [(0,)]
    (missing,) = clean_build.query(
        "select count(*) from marts.mart_key_account_review "
        "where action_code is null or conclusion_zh is null or conclusion_en is null"
    )[0]
    assert missing == 0


def test_no_personal_data_reaches_the_marts(clean_build):
    columns = clean_build.query(
        "select table_name, column_name from information_schema.columns "
        "where table_schema = 'marts'"
    )
    personal = [c for c in columns if any(p in c[1] for p in ("phone", "email", "contact_name"))]
    assert personal == []
