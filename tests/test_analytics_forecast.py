"""The forecast method chosen by backtest error, and its calibrated interval, on simulated
series whose best method is known: no warehouse, the functions of forecast_selection.py."""

from __future__ import annotations

import numpy as np
import pytest

from ka_pipeline.analytics.forecast_selection import (
    MIN_ERRORS,
    choose,
    known_errors,
    origin_forecasts,
)

HORIZON, LEVEL, BACK = 3, 0.8, 6


def _random_walk(months: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return 5e6 + np.cumsum(rng.normal(0, 4e5, months))


def _seasonal(months: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    season = 2e6 * np.sin(2 * np.pi * np.arange(months) / 12)
    return 6e6 + season + rng.normal(0, 1e5, months)


def test_a_random_walk_chooses_the_last_month():
    values = _random_walk(36, seed=1)
    forecasts = origin_forecasts(values, HORIZON, LEVEL, BACK)
    choice = choose(known_errors(values, forecasts, len(values)), LEVEL)
    assert choice is not None and choice.candidate in ("naive_last_month", "ets")
    errors = known_errors(values, forecasts, len(values))
    mae = {name: np.mean(np.abs(e)) for name, e in errors.items()}
    assert mae[choice.candidate] == min(mae.values())
    assert mae["naive_last_month"] < mae["seasonal_naive"]


def test_a_strong_season_chooses_a_seasonal_method():
    values = _seasonal(48, seed=2)
    forecasts = origin_forecasts(values, HORIZON, LEVEL, BACK)
    errors = known_errors(values, forecasts, len(values))
    choice = choose(errors, LEVEL)
    assert choice is not None and choice.candidate != "naive_last_month"
    mae = {name: np.mean(np.abs(e)) for name, e in errors.items()}
    assert mae["seasonal_naive"] < 0.5 * mae["naive_last_month"]


def test_only_forecasts_of_past_months_are_known():
    values = _random_walk(30, seed=3)
    forecasts = origin_forecasts(values, HORIZON, LEVEL, BACK)
    before = 26
    changed = values.copy()
    changed[before:] *= 3  # the future: nothing known at `before` may depend on it
    earlier = [f for f in forecasts if f.origin < before]
    original = known_errors(values, earlier, before)
    assert all(
        np.array_equal(original[name], errors)
        for name, errors in known_errors(changed, earlier, before).items()
    )
    assert len(original["ets"]) >= MIN_ERRORS


def test_too_few_known_forecasts_choose_nothing():
    values = _random_walk(8, seed=4)
    forecasts = origin_forecasts(values, HORIZON, LEVEL, BACK)
    errors = known_errors(values, forecasts[:2], 3)
    assert len(errors["ets"]) < MIN_ERRORS and choose(errors, LEVEL) is None


@pytest.mark.parametrize("seed", [5, 6])
def test_the_calibrated_interval_covers_about_its_level_out_of_sample(seed):
    """At each later origin: choose and calibrate on the errors known there, then score
    the next months. Over many origins about 80 % of the months fall inside."""
    values = _random_walk(48, seed=seed)
    forecasts = origin_forecasts(values, HORIZON, LEVEL, back=24)
    inside = []
    for at in forecasts:
        choice = choose(known_errors(values, [f for f in forecasts if f.origin < at.origin],
                                     at.origin), LEVEL)  # fmt: skip
        if choice is None or at.origin + HORIZON > len(values):
            continue
        mean = at.means[choice.candidate]
        lower, upper = choice.interval(mean)
        actual = values[at.origin : at.origin + HORIZON]
        inside.extend((actual >= lower) & (actual <= upper))
    assert len(inside) >= 90
    assert 0.65 <= np.mean(inside) <= 0.95, np.mean(inside)
