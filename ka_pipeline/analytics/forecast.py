"""Monthly revenue forecast by region with prediction intervals: statsmodels ETS.

Method: additive-error exponential-smoothing state-space models (ETS, the model family of
Holt-Winters; Hyndman et al., "Forecasting with exponential smoothing", 2008) from
`statsmodels.tsa.exponential_smoothing.ets.ETSModel`, chosen per series by AICc as
Hyndman's automatic ETS does, among: level only (A,N,N), damped additive trend (A,Ad,N),
and, when the series has at least two full years (a seasonal model needs two cycles to
tell seasonality from noise), the same with an additive 12-month season (A,N,A), (A,Ad,A).
The backtest repeats the choice at every origin, since it is part of the method. The
intervals are the model's analytic prediction intervals (all components additive, so they
are exact and need no simulation), cut at 0: revenue is never negative.

A series that is all zeros, or too short to fit (fewer than `MIN_MONTHS`), gets the naive
forecast (last month repeated) with an interval of width 0 and says so in `method`.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

SEASON = 12
MIN_MONTHS = 6


@dataclass(frozen=True)
class Forecast:
    mean: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    method: str
    spec: tuple | None = None  # (trend, damped, seasonal) of the ETS model, None for naive


def forecast_series(values, horizon: int, interval: float, spec: tuple | None = None) -> Forecast:
    """Forecast `horizon` months after `values`; `spec` fixes the ETS model instead of
    choosing it by AICc (the backtest's later origins reuse the first origin's choice)."""
    values = np.asarray(values, dtype=float)
    if len(values) < MIN_MONTHS or not np.any(values > 0):
        last = values[-1] if len(values) else 0.0
        flat = np.full(horizon, last)
        reason = "all zero" if len(values) and not np.any(values > 0) else "too short"
        return Forecast(flat, flat.copy(), flat.copy(), f"naive ({reason})")

    from statsmodels.tsa.exponential_smoothing.ets import ETSModel

    # statsmodels' prediction results need an indexed series; the months are positions only
    series = pd.Series(values, index=pd.period_range("2000-01", periods=len(values), freq="M"))
    candidates = [(None, False, None), ("add", True, None)]
    if len(values) >= 2 * SEASON:
        candidates += [(None, False, "add"), ("add", True, "add")]
    if spec is not None:
        candidates = [spec] if spec[2] is None or len(values) >= 2 * SEASON else candidates
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # convergence chatter on short series
        fits = []
        for trend, damped, seasonal in candidates:
            model = ETSModel(
                series,
                error="add",
                trend=trend,
                damped_trend=damped,
                seasonal=seasonal,
                seasonal_periods=SEASON if seasonal else None,
            )
            fit = model.fit(disp=False, maxiter=200)
            if np.isfinite(fit.aicc):
                fits.append((fit.aicc, len(fits), fit, (trend, damped, seasonal)))
        if not fits:
            last = values[-1]
            flat = np.full(horizon, last)
            return Forecast(flat, flat.copy(), flat.copy(), "naive (ETS did not converge)")
        _aicc, _order, fit, (trend, damped, seasonal) = min(fits, key=lambda f: f[:2])
        frame = fit.get_prediction(start=len(values), end=len(values) + horizon - 1)
        frame = frame.summary_frame(alpha=1 - interval)
    mean = np.asarray(frame["mean"], dtype=float)
    lower = np.asarray(frame["pi_lower"], dtype=float)
    upper = np.asarray(frame["pi_upper"], dtype=float)
    if not (
        np.all(np.isfinite(mean)) and np.all(np.isfinite(lower)) and np.all(np.isfinite(upper))
    ):
        last = values[-1]
        flat = np.full(horizon, last)
        return Forecast(flat, flat.copy(), flat.copy(), "naive (ETS did not converge)")
    mean = np.clip(mean, 0, None)
    lower = np.clip(np.minimum(lower, mean), 0, None)
    upper = np.maximum(upper, mean)
    name = f"ETS(A,{'Ad' if damped else 'N'},{'A' if seasonal else 'N'}) by AICc"
    return Forecast(mean, lower, upper, name, (trend, damped, seasonal))


def naive_last(values, horizon: int) -> np.ndarray:
    """Baseline: the last month repeated."""
    values = np.asarray(values, dtype=float)
    return np.full(horizon, values[-1] if len(values) else 0.0)


def seasonal_naive(values, horizon: int) -> np.ndarray:
    """Baseline: the same month a year earlier (the last month when < 12 months)."""
    values = np.asarray(values, dtype=float)
    if len(values) < SEASON:
        return naive_last(values, horizon)
    return np.array([values[len(values) - SEASON + (h % SEASON)] for h in range(horizon)])
