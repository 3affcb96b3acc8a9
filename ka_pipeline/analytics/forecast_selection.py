"""Each series' forecast method chosen by backtest error, with an interval calibrated on it.

Candidates (`CANDIDATES`): the ETS model of `forecast.forecast_series`, the last month
repeated, the same month a year earlier, and the same month a year earlier scaled by the
growth of the last `LEVEL_MONTHS` months over the same months a year before (a seasonal
naive forecast that follows a level shift). Every month of the recent past is a forecast
origin: each candidate forecasts the `horizon` months after it from the months before it.

At any point in time only the forecasts whose month has already happened are known. From
those of the last `analytics_backtest_months` months (recent errors: a level shift makes
older ones misleading), and nothing later:
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

from ka_pipeline.analytics.forecast import SEASON, forecast_series, naive_last, seasonal_naive

CANDIDATES = ("ets", "naive_last_month", "seasonal_naive", "seasonal_level")
CANDIDATE_LABELS = {
    "ets": "ETS",
    "naive_last_month": "last month",
    "seasonal_naive": "same month last year",
    "seasonal_level": "same month last year x recent growth",
}
LEVEL_MONTHS = 3
MIN_ERRORS = 8
# forecast origins kept: this many times analytics_backtest_months, so the first scored
# origin has as many months of known errors before it as the backtest itself scores
HISTORY_FACTOR = 2


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
            f"lowest backtest MAE of {len(CANDIDATES)} methods; interval from "
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
        means = {c: candidate_forecast(c, train, horizon, ets.mean) for c in CANDIDATES}
        forecasts.append(OriginForecast(origin, means, ets.lower, ets.upper))
    return forecasts


def candidate_forecast(candidate: str, train, horizon: int, ets_mean) -> np.ndarray:
    """The `horizon` months after `train` by `candidate` (ETS's own forecast given)."""
    if candidate == "ets":
        return np.asarray(ets_mean, dtype=float)
    if candidate == "naive_last_month":
        return naive_last(train, horizon)
    seasonal = seasonal_naive(train, horizon)
    if candidate == "seasonal_naive":
        return seasonal
    train = np.asarray(train, dtype=float)
    if len(train) < SEASON + LEVEL_MONTHS:
        return seasonal
    year_before = train[-SEASON - LEVEL_MONTHS : -SEASON].sum()
    growth = train[-LEVEL_MONTHS:].sum() / year_before if year_before > 0 else 1.0
    return seasonal * growth


def known_errors(
    values: np.ndarray, forecasts: list, before: int, window: int | None = None
) -> dict[str, np.ndarray]:
    """Each candidate's errors (actual - forecast) on the months before `before` (and, with
    `window`, not before `before - window`)."""
    errors: dict[str, list[float]] = {c: [] for c in CANDIDATES}
    first = 0 if window is None else before - window
    for forecast in forecasts:
        for step in range(len(forecast.means["ets"])):
            month = forecast.origin + step
            if month >= min(before, len(values)):
                break
            if month < first:
                continue
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
