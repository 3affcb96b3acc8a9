"""mart_account_clv and the CLV backtest rows, from the BG/NBD + Gamma-Gamma fits (clv.py).

Inputs come from `marts.int_analytics_clv_inputs` (snapshot `current` for the table,
`backtest` for the refit at the earlier cut-off). An account with a single order (no
repeat purchase) gets the population's expected spend and, as the BG/NBD model assumes,
P(alive) = 1 when it has not had the chance to drop out after a repeat purchase; its
expected orders still fall with its age. When the data cannot identify the model (fewer
than two accounts, no repeat purchase at all) the rows carry null predictions and
`model_status` says why.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ka_pipeline.analytics import backtest
from ka_pipeline.analytics.clv import (
    WEEKS_PER_DAY,
    BgNbd,
    ClvFitError,
    GammaGamma,
    discounted_clv,
    fit_bgnbd,
    fit_gamma_gamma,
)
from ka_pipeline.analytics.features import clv_inputs
from ka_pipeline.analytics.params import AnalyticsParams
from ka_pipeline.analytics.warehouse import AnalyticsWarehouse

CLV_COLUMNS = [
    "as_of_date", "account_id", "frequency", "recency_weeks", "age_weeks",
    "monetary_mean_cny", "p_alive", "horizon_days", "expected_orders", "expected_spend_cny",
    "expected_revenue_cny", "clv_months", "clv_cny", "model_status",
]  # fmt: skip


# Above this many accounts the population parameters are fitted on a seeded sample: each
# likelihood evaluation is linear in the accounts and Nelder-Mead makes thousands, so the
# 173k accounts of the 10M bench took minutes per fit; 10,000 accounts pin 4 parameters.
CLV_FIT_SAMPLE = 10_000


def fit_models(inputs: pd.DataFrame, seed: int) -> tuple[BgNbd, GammaGamma]:
    """BG/NBD and Gamma-Gamma fitted to `inputs` (a seeded sample of at most
    CLV_FIT_SAMPLE accounts); the caller applies them to every account."""
    if len(inputs) > CLV_FIT_SAMPLE:
        inputs = inputs.sample(n=CLV_FIT_SAMPLE, random_state=seed)
    x, t_x, age = _arrays(inputs)
    transactions = fit_bgnbd(x, t_x, age)
    spend = fit_gamma_gamma(x, inputs["monetary_mean_cny"].to_numpy(float))
    if abs(transactions.a - 1) < 1e-6:
        # the conditional expectation's (a + b + x - 1) / (a - 1) has a removable singularity
        # at a = 1; a fit landing exactly there is nudged off it
        transactions = BgNbd(
            transactions.r, transactions.alpha, 1 + 1e-6, transactions.b,
            transactions.log_likelihood,
        )  # fmt: skip
    if spend.q <= 1:
        raise ClvFitError(f"Gamma-Gamma q = {spend.q:.3f} <= 1: expected spend undefined")
    return transactions, spend


def clv_table(
    warehouse: AnalyticsWarehouse, params: AnalyticsParams, as_of
) -> tuple[pd.DataFrame, pd.DataFrame, str]:
    """(mart_account_clv, mart_clv_parameters, status message)."""
    inputs = clv_inputs(warehouse, "current")
    table = pd.DataFrame(
        {
            "as_of_date": as_of,
            "account_id": inputs["account_id"],
            "frequency": inputs["frequency"].astype(int),
            "recency_weeks": inputs["recency_weeks"],
            "age_weeks": inputs["age_weeks"],
            "monetary_mean_cny": inputs["monetary_mean_cny"],
            "horizon_days": params.clv_horizon_days,
            "clv_months": params.clv_months,
        }
    )
    try:
        transactions, spend = fit_models(inputs, params.seed)
    except ClvFitError as error:
        for column in (
            "p_alive",
            "expected_orders",
            "expected_spend_cny",
            "expected_revenue_cny",
            "clv_cny",
        ):
            table[column] = None
        table["model_status"] = f"not fitted: {error}"
        return table[CLV_COLUMNS], _parameters(None, None, as_of, str(error)), str(error)

    x, t_x, age = _arrays(inputs)
    orders = transactions.expected_transactions(
        params.clv_horizon_days * WEEKS_PER_DAY, x, t_x, age
    )
    per_order = spend.expected_spend(x, inputs["monetary_mean_cny"].to_numpy(float))
    table["p_alive"] = np.round(transactions.p_alive(x, t_x, age), 6)
    table["expected_orders"] = np.round(orders, 6)
    table["expected_spend_cny"] = np.round(per_order, 2)
    table["expected_revenue_cny"] = np.round(orders * per_order, 2)
    table["clv_cny"] = np.round(
        discounted_clv(
            transactions, per_order, x, t_x, age, params.clv_months, params.clv_annual_discount_rate
        ),
        2,
    )
    table["model_status"] = np.where(x > 0, "fitted", "fitted (single order: population spend)")
    return table[CLV_COLUMNS], _parameters(transactions, spend, as_of, "fitted"), "fitted"


def clv_backtest(warehouse: AnalyticsWarehouse, params: AnalyticsParams) -> list[dict]:
    inputs = clv_inputs(warehouse, "backtest")
    if inputs.empty:
        return []
    cutoff = inputs["cutoff_date"].iloc[0]
    end = inputs["holdout_end_date"].iloc[0]
    frame = {"cutoff_date": cutoff, "evaluated_from": cutoff, "evaluated_to": end}
    n = len(inputs)
    try:
        transactions, spend = fit_models(inputs, params.seed)
    except ClvFitError as error:
        return [
            backtest.row(
                model,
                metric,
                "none",
                None,
                None,
                lower_is_better=True,
                n_observations=n,
                note=f"not fitted at the cut-off: {error}",
                **frame,
            )
            for model, metric in (
                ("clv_orders", "mae_orders"),
                ("clv_revenue", "mae_cny"),
                ("p_alive", "auc"),
            )
        ]
    x, t_x, age = _arrays(inputs)
    weeks = params.clv_horizon_days * WEEKS_PER_DAY
    predicted_orders = transactions.expected_transactions(weeks, x, t_x, age)
    predicted_revenue = predicted_orders * spend.expected_spend(
        x, inputs["monetary_mean_cny"].to_numpy(float)
    )
    # baseline: each account keeps the purchase rate and revenue rate of its past
    rate = (x + 1) / np.maximum(age, 1.0)
    naive_orders = rate * weeks
    naive_revenue = inputs["calibration_revenue_cny"].to_numpy(float) / np.maximum(age, 1.0)
    naive_revenue = naive_revenue * weeks
    actual_orders = inputs["holdout_transactions"].to_numpy(float)
    actual_revenue = inputs["holdout_revenue_cny"].to_numpy(float)
    active = inputs["is_active_in_holdout"].to_numpy(bool)
    recency = inputs["days_since_last_transaction"].to_numpy(float)
    p_alive = transactions.p_alive(x, t_x, age)
    total_note = "error of the summed prediction over all accounts, relative to the actual sum"
    return [
        backtest.row("clv_orders", "mae_orders", "past_rate", backtest.mae(actual_orders,
                     predicted_orders), backtest.mae(actual_orders, naive_orders),
                     lower_is_better=True, n_observations=n, **frame),
        backtest.row("clv_orders", "total_abs_pct_error", "past_rate",
                     _total_error(actual_orders, predicted_orders),
                     _total_error(actual_orders, naive_orders), lower_is_better=True,
                     n_observations=n, note=total_note, **frame),
        backtest.row("clv_revenue", "mae_cny", "past_rate", backtest.mae(actual_revenue,
                     predicted_revenue), backtest.mae(actual_revenue, naive_revenue),
                     lower_is_better=True, n_observations=n, **frame),
        backtest.row("clv_revenue", "total_abs_pct_error", "past_rate",
                     _total_error(actual_revenue, predicted_revenue),
                     _total_error(actual_revenue, naive_revenue), lower_is_better=True,
                     n_observations=n, note=total_note, **frame),
        backtest.row("p_alive", "auc", "recency_days", backtest.auc(active, p_alive),
                     backtest.auc(active, -recency), lower_is_better=False, n_observations=n,
                     note="outcome: an order in the holdout; baseline score: fewer days since "
                     "the last order", **frame),
        backtest.row("clv_orders", "auc", "recency_days", backtest.auc(active,
                     predicted_orders), backtest.auc(active, -recency), lower_is_better=False,
                     n_observations=n, note="score: expected orders in the holdout", **frame),
    ]  # fmt: skip


def _total_error(actual, predicted) -> float:
    total = float(np.sum(actual))
    return abs(float(np.sum(predicted)) - total) / total if total > 0 else float("nan")


def _arrays(inputs: pd.DataFrame):
    return (
        inputs["frequency"].to_numpy(float),
        inputs["recency_weeks"].to_numpy(float),
        inputs["age_weeks"].to_numpy(float),
    )


def _parameters(transactions, spend, as_of, status: str) -> pd.DataFrame:
    rows = []
    if transactions is not None:
        for name in ("r", "alpha", "a", "b"):
            rows.append(("bg_nbd", name, getattr(transactions, name)))
        rows.append(("bg_nbd", "log_likelihood", transactions.log_likelihood))
        for name in ("p", "q", "gamma"):
            rows.append(("gamma_gamma", name, getattr(spend, name)))
        rows.append(("gamma_gamma", "log_likelihood", spend.log_likelihood))
    frame = pd.DataFrame(rows, columns=["model_name", "parameter_name", "parameter_value"])
    frame["parameter_value"] = frame["parameter_value"].astype(float).round(6)
    frame.insert(0, "as_of_date", as_of)
    frame["model_status"] = status
    return frame
