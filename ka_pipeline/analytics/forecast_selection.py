"""Each series' forecast method chosen by backtest error, with an interval calibrated on it.

Candidates (`CANDIDATES`): the ETS model of `forecast.forecast_series`, the last month
repeated, and the same month a year earlier. Every month of the recent past is a forecast
origin: each candidate forecasts the `horizon` months after it from the months before it.

At any point in time only the forecasts whose month has already happened are known. From
those, and nothing later:
- the method is the candidate with the lowest mean absolute error (ties: the order of
  `CANDIDATES`);
- the interval is the point forecast plus the empirical (1 - level) / 2 and (1 + level) / 2
  quantiles of that candidate's known errors (actual - forecast, all horizons pooled), cut
  at 0. ETS's analytic intervals assume its own model is right and were too narrow
  (docs/analytics.md).
With fewer than `MIN_ERRORS` known errors there is nothing to choose on: ETS with its
analytic interval. The backtest applies this at each of its origins with what was known
there, so the chosen method's error and coverage are scored out of sample.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ka_pipeline.analytics.forecast import forecast_series, naive_last, seasonal_naive

CANDIDATES = ("ets", "naive_last_month", "seasonal_naive")
CANDIDATE_LABELS = {
    "ets": "ETS",
    "naive_last_month": "last month",
    "seasonal_naive": "same month last year",
}
MIN_ERRORS = 8
# forecast origins kept: this many times analytics_backtest_months, so the first scored
# origin has as many months of known errors before it as the backtest itself scores
HISTORY_FACTOR = 3


@dataclass(frozen=True)
class OriginForecast:
    """Every candidate's forecast of the `horizon` months after `origin` training months."""

    origin: int
    means: dict[str, np.ndarray]
    ets_lower: np.ndarray
    ets_upper: np.ndarray


@dataclass(frozen=True)
class Choice:
    candidate: str
    error_quantiles: tuple[float, float]
    n_errors: int

    def interval(self, mean: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        low, high = self.error_quantiles
        return np.clip(np.minimum(mean + low, mean), 0, None), np.maximum(mean + high, mean)

    def describe(self) -> str:
        return (
            f"{CANDIDATE_LABELS[self.candidate]}, lowest backtest MAE; interval from "
            f"{self.n_errors} backtest errors"
        )


def origin_forecasts(values: np.ndarray, horizon: int, interval: float, back: int) -> list:
    """The candidates' forecasts at every origin of the last HISTORY_FACTOR x `back` months.

    ETS's variant is chosen by AICc at the first origin it can be fitted at and refitted
    at the later ones (one fit per origin keeps the stage to seconds)."""
    forecasts, spec = [], None
    for origin in range(max(1, len(values) - HISTORY_FACTOR * back), len(values)):
        train = values[:origin]
        ets = forecast_series(train, horizon, interval, spec)
        spec = spec or ets.spec
        means = {
            "ets": ets.mean,
            "naive_last_month": naive_last(train, horizon),
            "seasonal_naive": seasonal_naive(train, horizon),
        }
        forecasts.append(OriginForecast(origin, means, ets.lower, ets.upper))
    return forecasts


def known_errors(values: np.ndarray, forecasts: list, before: int) -> dict[str, np.ndarray]:
    """Each candidate's errors (actual - forecast) on the months before `before`."""
    errors: dict[str, list[float]] = {c: [] for c in CANDIDATES}
    for forecast in forecasts:
        for step in range(len(forecast.means["ets"])):
            month = forecast.origin + step
            if month >= min(before, len(values)):
                break
            for candidate in CANDIDATES:
                errors[candidate].append(values[month] - forecast.means[candidate][step])
    return {c: np.asarray(e, dtype=float) for c, e in errors.items()}


def choose(errors: dict[str, np.ndarray], interval: float) -> Choice | None:
    """The candidate with the lowest MAE and its error quantiles; None with too few errors."""
    n = len(errors["ets"])
    if n < MIN_ERRORS:
        return None
    mae = {c: float(np.mean(np.abs(errors[c]))) for c in CANDIDATES}
    best = min(CANDIDATES, key=lambda c: (mae[c], CANDIDATES.index(c)))
    low, high = np.quantile(errors[best], [(1 - interval) / 2, (1 + interval) / 2])
    return Choice(best, (float(low), float(high)), n)
