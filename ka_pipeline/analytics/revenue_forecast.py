"""mart_revenue_forecast and the forecast backtest rows.

The table holds each region's history (row_type `actual`) and its next
`analytics_forecast_horizon_months` months (row_type `forecast`, with the interval), so the
report draws the chart from the table alone. Region `ALL` is the company total, forecast as
its own series.

Each series' method is the candidate (ETS, last month, same month last year) with the
lowest backtest error, and its interval comes from that candidate's backtest errors
(forecast_selection.py); `method` says which was chosen and why.

Backtest: rolling origins. Every month from `analytics_backtest_months` before the last
complete month up to `horizon` months before it is an origin: the series is cut there and
the method chosen, calibrated and forecast with only the forecasts known by then; its next
`horizon` months are compared with what happened, against two naive baselines (last
month; same month last year). Scored separately for the regions (`revenue_forecast_region`)
and the company total (`revenue_forecast_company`); the rows `..._ets` score ETS alone with
its analytic interval, the method before the choice by backtest.
"""

from __future__ import annotations

from collections import Counter
from datetime import date

import numpy as np
import pandas as pd

from ka_pipeline.analytics import backtest
from ka_pipeline.analytics.features import region_months
from ka_pipeline.analytics.forecast import MIN_MONTHS, forecast_series
from ka_pipeline.analytics.forecast_selection import (
    CANDIDATE_LABELS,
    candidate_forecast,
    choose,
    known_errors,
    origin_forecasts,
)
from ka_pipeline.analytics.params import AnalyticsParams
from ka_pipeline.analytics.warehouse import AnalyticsWarehouse

FORECAST_COLUMNS = [
    "as_of_date", "region_code", "region_name_zh", "region_name_en", "region_sort_order",
    "month_start", "row_type", "revenue_cny", "lower_cny", "upper_cny", "interval_level",
    "method",
]  # fmt: skip
SCORED = ("actual", "chosen", "chosen_lower", "chosen_upper", "ets", "ets_lower", "ets_upper",
          "last", "seasonal")  # fmt: skip


def add_months(month: date, months: int) -> date:
    index = month.year * 12 + month.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _series(history: pd.DataFrame):
    for region_code, group in history.groupby("region_code", sort=False):
        yield region_code, group.sort_values("month_start").reset_index(drop=True)


def _next_months(values: np.ndarray, forecasts: list, params: AnalyticsParams):
    """(mean, lower, upper, method) of the months after the series."""
    horizon, level = params.forecast_horizon_months, params.forecast_interval
    fallback = forecast_series(values, horizon, level)
    if len(values) < MIN_MONTHS or not np.any(values > 0):
        return fallback.mean, fallback.lower, fallback.upper, fallback.method
    choice = choose(known_errors(values, forecasts, len(values), params.backtest_months), level)
    if choice is None:
        method = f"{fallback.method}; too few backtest forecasts to choose a method"
        return fallback.mean, fallback.lower, fallback.upper, method
    mean = candidate_forecast(choice.candidate, values, horizon, fallback.mean)
    lower, upper = choice.interval(mean)
    label = fallback.method if choice.candidate == "ets" else CANDIDATE_LABELS[choice.candidate]
    return mean, lower, upper, f"{label}: {choice.describe()}"


def forecast_table(
    warehouse: AnalyticsWarehouse, params: AnalyticsParams, as_of
) -> tuple[pd.DataFrame, list[dict]]:
    """(mart_revenue_forecast, its backtest rows for mart_model_backtests)."""
    history = region_months(warehouse)
    rows, scored, chosen = [], {}, Counter()
    for region_code, group in _series(history):
        names = group.iloc[0]
        common = {
            "as_of_date": as_of,
            "region_code": region_code,
            "region_name_zh": names["region_name_zh"],
            "region_name_en": names["region_name_en"],
            "region_sort_order": int(names["region_sort_order"]),
            "interval_level": params.forecast_interval,
        }
        for month, value in zip(group["month_start"], group["revenue_cny"], strict=True):
            rows.append({**common, "month_start": month, "row_type": "actual",
                         "revenue_cny": value, "lower_cny": value, "upper_cny": value,
                         "method": "actual"})  # fmt: skip
        values = group["revenue_cny"].to_numpy(float)
        forecasts = origin_forecasts(
            values, params.forecast_horizon_months, params.forecast_interval,
            params.backtest_months,
        )  # fmt: skip
        mean, lower, upper, method = _next_months(values, forecasts, params)
        chosen[method.split(":")[0].split(";")[0]] += 1
        last = group["month_start"].iloc[-1]
        for step in range(params.forecast_horizon_months):
            rows.append({**common, "month_start": add_months(last, step + 1),
                         "row_type": "forecast", "revenue_cny": mean[step],
                         "lower_cny": lower[step], "upper_cny": upper[step],
                         "method": method})  # fmt: skip
        model_name = (
            "revenue_forecast_company" if region_code == "ALL" else "revenue_forecast_region"
        )
        _score_series(values, forecasts, params, scored.setdefault(model_name, _bucket()))
    table = pd.DataFrame(rows, columns=FORECAST_COLUMNS)
    for column in ("revenue_cny", "lower_cny", "upper_cny"):
        table[column] = table[column].astype(float).round(2)
    chosen_note = "methods chosen for the next months: " + ", ".join(
        f"{name} {count}" for name, count in sorted(chosen.items())
    )
    return table, _backtest_rows(scored, history, params, chosen_note)


def _bucket() -> dict:
    return {key: [] for key in SCORED} | {"origins": []}


def _score_series(values: np.ndarray, forecasts: list, params: AnalyticsParams, bucket) -> None:
    """Add the series' backtest forecasts at the scored origins to `bucket`."""
    horizon, back, level = (
        params.forecast_horizon_months,
        params.backtest_months,
        params.forecast_interval,
    )
    steps = min(horizon, back)
    by_origin = {f.origin: f for f in forecasts}
    for origin in range(len(values) - back, len(values) - steps + 1):
        if origin < 1 or origin not in by_origin:
            continue
        at = by_origin[origin]
        earlier = [f for f in forecasts if f.origin < origin]
        choice = choose(known_errors(values, earlier, origin, back), level)
        if choice is None:
            mean, lower, upper = at.means["ets"][:steps], at.ets_lower[:steps], at.ets_upper[:steps]
        else:
            mean = at.means[choice.candidate][:steps]
            lower, upper = choice.interval(mean)
        bucket["actual"].extend(values[origin : origin + steps])
        bucket["chosen"].extend(mean)
        bucket["chosen_lower"].extend(lower)
        bucket["chosen_upper"].extend(upper)
        bucket["ets"].extend(at.means["ets"][:steps])
        bucket["ets_lower"].extend(at.ets_lower[:steps])
        bucket["ets_upper"].extend(at.ets_upper[:steps])
        bucket["last"].extend(at.means["naive_last_month"][:steps])
        bucket["seasonal"].extend(at.means["seasonal_naive"][:steps])
        bucket["origins"].append((origin, steps, "ets" if choice is None else choice.candidate))


def _backtest_rows(scored: dict, history: pd.DataFrame, params: AnalyticsParams,
                   chosen_note: str) -> list[dict]:  # fmt: skip
    horizon, back = params.forecast_horizon_months, params.backtest_months
    months = sorted(history["month_start"].unique())
    rows = []
    for model_name, bucket in sorted(scored.items()):
        origins = bucket["origins"]
        frame = {
            "cutoff_date": months[min(o for o, _s, _c in origins) - 1] if origins else None,
            "evaluated_from": months[min(o for o, _s, _c in origins)] if origins else None,
            "evaluated_to": months[max(o + s - 1 for o, s, _c in origins)] if origins else None,
        }
        actual = np.array(bucket["actual"])
        n = len(actual)
        if n == 0:
            rows.append(backtest.row(
                model_name, "mape", "none", None, None, lower_is_better=True, n_observations=0,
                note=f"series shorter than the backtest ({back} months)", **frame,
            ))  # fmt: skip
            continue
        picks = Counter(c for _o, _s, c in origins)
        note = (
            f"rolling origins over the last {back} months, {horizon} months ahead; "
            "cutoff_date = the month start of the earliest origin's last training month"
        )
        chosen_note_here = (
            f"{note}; method chosen at each origin by the backtest MAE known there "
            f"({', '.join(f'{CANDIDATE_LABELS[c]} {k}' for c, k in sorted(picks.items()))} "
            f"series-origins); {chosen_note}"
        )
        for name, key, lower, upper, text, interval_note in (
            (model_name, "chosen", "chosen_lower", "chosen_upper", chosen_note_here,
             "interval from the chosen method's earlier backtest errors"),
            (f"{model_name}_ets", "ets", "ets_lower", "ets_upper", f"{note}; ETS alone",
             "ETS's analytic interval"),
        ):  # fmt: skip
            model = np.array(bucket[key])
            for metric, score in (("mae_cny", backtest.mae), ("mape", backtest.mape)):
                for baseline_name, base in (("naive_last_month", "last"),
                                            ("seasonal_naive", "seasonal")):  # fmt: skip
                    rows.append(backtest.row(
                        name, metric, baseline_name, score(actual, model),
                        score(actual, np.array(bucket[base])), lower_is_better=True,
                        n_observations=n, note=text, **frame,
                    ))  # fmt: skip
            inside = (actual >= np.array(bucket[lower])) & (actual <= np.array(bucket[upper]))
            rows.append(backtest.row(
                name, "interval_coverage", "nominal_level", float(inside.mean()),
                params.forecast_interval, lower_is_better=False, n_observations=n,
                comparable=False, note=f"share of actual months inside the prediction interval "
                f"({interval_note}); the baseline is the nominal level (closer is better)",
                **frame,
            ))  # fmt: skip
    return rows
