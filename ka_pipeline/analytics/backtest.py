"""Backtests: refit at an earlier as-of date and score against what happened after it.

One row per model x metric x baseline (`BACKTEST_COLUMNS`, documented in
`dbt_project/models/marts/analytics/_analytics__sources.yml`). Error metrics are lower-is-better,
AUC higher-is-better; `relative_improvement` is 1 - model / baseline for errors and
model - baseline for AUC, so > 0 always means the model wins.
"""

from __future__ import annotations

import numpy as np

BACKTEST_COLUMNS = [
    "model_name",
    "metric_name",
    "baseline_name",
    "model_value",
    "baseline_value",
    "relative_improvement",
    "model_beats_baseline",
    "lower_is_better",
    "n_observations",
    "cutoff_date",
    "evaluated_from",
    "evaluated_to",
    "note",
]


def mae(actual, predicted) -> float:
    actual, predicted = np.asarray(actual, float), np.asarray(predicted, float)
    return float(np.mean(np.abs(actual - predicted))) if len(actual) else float("nan")


def mape(actual, predicted) -> float:
    """Mean absolute percentage error over the points with a positive actual value."""
    actual, predicted = np.asarray(actual, float), np.asarray(predicted, float)
    keep = actual > 0
    if not keep.any():
        return float("nan")
    return float(np.mean(np.abs(actual[keep] - predicted[keep]) / actual[keep]))


def auc(outcome, score) -> float:
    """ROC AUC (ties count half); NaN when the outcome has one class only."""
    outcome, score = np.asarray(outcome, bool), np.asarray(score, float)
    if outcome.all() or not outcome.any():
        return float("nan")
    from sklearn.metrics import roc_auc_score

    return float(roc_auc_score(outcome, score))


def row(
    model_name: str,
    metric_name: str,
    baseline_name: str,
    model_value: float,
    baseline_value: float | None,
    *,
    lower_is_better: bool,
    n_observations: int,
    cutoff_date,
    evaluated_from,
    evaluated_to,
    note: str = "",
    comparable: bool = True,
) -> dict:
    """One backtest row; a metric that cannot be computed is null (never NaN) with a note."""
    model_value = _finite(model_value)
    baseline_value = _finite(baseline_value)
    improvement = beats = None
    if comparable and model_value is not None and baseline_value is not None:
        if lower_is_better:
            improvement = 1 - model_value / baseline_value if baseline_value > 0 else None
            beats = model_value < baseline_value
        else:
            improvement = model_value - baseline_value
            beats = model_value > baseline_value
    if model_value is None and not note:
        note = "not computable: no observation with both outcomes / a positive actual"
    return {
        "model_name": model_name,
        "metric_name": metric_name,
        "baseline_name": baseline_name,
        "model_value": model_value,
        "baseline_value": baseline_value,
        "relative_improvement": None if improvement is None else round(improvement, 6),
        "model_beats_baseline": beats,
        "lower_is_better": lower_is_better,
        "n_observations": int(n_observations),
        "cutoff_date": cutoff_date,
        "evaluated_from": evaluated_from,
        "evaluated_to": evaluated_to,
        "note": note,
    }


def _finite(value):
    if value is None:
        return None
    value = float(value)
    return round(value, 6) if np.isfinite(value) else None
