"""Cross-sell rules and recommendations on the shared clean build: support, confidence and
lift equal a direct count over the order lines (the dbt unit test
mart_cross_sell_rules_metrics_equal_a_direct_count checks the same on a hand-made fixture),
and recommendations are lines the account did not buy."""

from __future__ import annotations

from itertools import permutations

import pytest

pytestmark = pytest.mark.slow


def _baskets(build, level_column: str) -> dict[str, set[str]]:
    rows = build.query(
        f"select distinct l.account_id, p.{level_column} from core.fct_order_lines l "
        "join core.dim_products p using (product_id) "
        "cross join (select max(as_of_date) as as_of_date, max(window_start_date) as start "
        "from marts.mart_account_rfm) a "
        "where l.is_completed and l.order_date between a.start and a.as_of_date "
        f"and l.account_id <> 'UNKNOWN' and p.{level_column} <> '未知'"
    )
    baskets: dict[str, set[str]] = {}
    for account, item in rows:
        baskets.setdefault(account, set()).add(item)
    return baskets


@pytest.mark.parametrize(("level", "column"), [("line", "product_line"), ("category", "category")])
def test_rule_metrics_equal_a_direct_count(clean_build, level, column):
    baskets = _baskets(clean_build, column)
    n = len(baskets)
    items = {i for b in baskets.values() for i in b}
    count = {i: sum(i in b for b in baskets.values()) for i in items}
    ((min_support, min_confidence, min_lift),) = [
        tuple(float(v) for v in r)
        for r in clean_build.query(
            "select max(case when parameter_name = 'cross_sell_min_support' "
            "then parameter_value end), "
            "max(case when parameter_name = 'cross_sell_min_confidence' "
            "then parameter_value end), "
            "max(case when parameter_name = 'cross_sell_min_lift' then parameter_value end) "
            "from marts.mart_run_parameters"
        )
    ]
    expected = {}
    for a, b in permutations(sorted(items), 2):
        pair = sum(a in s and b in s for s in baskets.values())
        if not pair:
            continue
        support, confidence = pair / n, pair / count[a]
        lift = confidence / (count[b] / n)
        if support >= min_support and confidence >= min_confidence and lift > min_lift:
            expected[(a, b)] = (n, count[a], count[b], pair, support, confidence, lift)
    rows = clean_build.query(
        "select antecedent_code, consequent_code, basket_count, antecedent_account_count, "
        "consequent_account_count, pair_account_count, support, confidence, lift "
        "from marts.mart_cross_sell_rules where rule_level = ?",
        [level],
    )
    got = {(r[0], r[1]): r[2:] for r in rows}
    assert set(got) == set(expected)
    for key, (n_, ca, cb, pair, support, confidence, lift) in expected.items():
        g = got[key]
        assert g[:4] == (n_, ca, cb, pair)
        assert float(g[4]) == pytest.approx(support, abs=1e-4)
        assert float(g[5]) == pytest.approx(confidence, abs=1e-4)
        assert float(g[6]) == pytest.approx(lift, abs=1e-4)


def test_recommendations_are_unbought_and_ranked(clean_build):
    baskets = _baskets(clean_build, "product_line")
    rows = clean_build.query(
        "select account_id, recommended_code, because_bought_code, recommendation_rank, "
        "rule_score from marts.mart_account_cross_sell where rule_level = 'line' "
        "order by account_id, recommendation_rank"
    )
    assert rows
    previous: dict[str, float] = {}
    for account, offered, because, rank, score in rows:
        assert offered not in baskets[account]
        assert because in baskets[account]
        if rank > 1:
            assert score <= previous[account]
        previous[account] = score
    # the review list offers an account's first recommendation
    mismatched = clean_build.query(
        "select r.account_id from marts.mart_key_account_review r "
        "left join marts.mart_account_cross_sell c on r.account_id = c.account_id "
        "and c.rule_level = 'line' and c.recommendation_rank = 1 "
        "where r.cross_sell_product_line is distinct from c.recommended_code"
    )
    assert mismatched == []
