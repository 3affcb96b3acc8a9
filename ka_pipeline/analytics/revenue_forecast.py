"""mart_revenue_forecast and the forecast backtest rows.

The table holds each region's history (row_type `actual`) and its next
`analytics_forecast_horizon_months` months (row_type `forecast`, with the interval), so the
report draws the chart from the table alone. Region `ALL` is the company total, forecast as
its own series.

Backtest: rolling origins. Every month from `analytics_backtest_months` before the last
complete month up to `horizon` months before it is an origin: the series is cut there, the
model refitted, and its next `horizon` months compared with what happened, against two
naive baselines (last month; same month last year). The ETS variant is chosen by AICc at
the first origin (no look-ahead) and refitted at the later ones, which keeps the stage to
a few fits per series. Scored separately for the regions
(`revenue_forecast_region`) and the company total (`revenue_forecast_company`).
"""

from __future__ import annotations

from datetime import date

import duckdb
import numpy as np
import pandas as pd

from ka_pipeline.analytics import backtest
from ka_pipeline.analytics.features import region_months
from ka_pipeline.analytics.forecast import forecast_series, naive_last, seasonal_naive
from ka_pipeline.analytics.params import AnalyticsParams

FORECAST_COLUMNS = [
    "as_of_date", "region_code", "region_name_zh", "region_name_en", "region_sort_order",
    "month_start", "row_type", "revenue_cny", "lower_cny", "upper_cny", "interval_level",
    "method",
]  # fmt: skip


def add_months(month: date, months: int) -> date:
    index = month.year * 12 + month.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _series(history: pd.DataFrame):
    for region_code, group in history.groupby("region_code", sort=False):
        yield region_code, group.sort_values("month_start").reset_index(drop=True)


def forecast_table(
    conn: duckdb.DuckDBPyConnection, params: AnalyticsParams, as_of
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(mart_revenue_forecast, the region months it was fitted on)."""
    history = region_months(conn)
    rows = []
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
        result = forecast_series(
            group["revenue_cny"].to_numpy(float),
            params.forecast_horizon_months,
            params.forecast_interval,
        )
        last = group["month_start"].iloc[-1]
        for step in range(params.forecast_horizon_months):
            rows.append({**common, "month_start": add_months(last, step + 1),
                         "row_type": "forecast", "revenue_cny": result.mean[step],
                         "lower_cny": result.lower[step], "upper_cny": result.upper[step],
                         "method": result.method})  # fmt: skip
    table = pd.DataFrame(rows, columns=FORECAST_COLUMNS)
    for column in ("revenue_cny", "lower_cny", "upper_cny"):
        table[column] = table[column].astype(float).round(2)
    return table, history


def forecast_backtest(history: pd.DataFrame, params: AnalyticsParams) -> list[dict]:
    horizon, back = params.forecast_horizon_months, params.backtest_months
    results: dict[str, dict[str, list]] = {}
    months = sorted(history["month_start"].unique())
    window = {"from": None, "to": None, "cutoff": None}
    for region_code, group in _series(history):
        values = group["revenue_cny"].to_numpy(float)
        model_name = (
            "revenue_forecast_company" if region_code == "ALL" else ("revenue_forecast_region")
        )
        bucket = results.setdefault(
            model_name, {k: [] for k in ("actual", "model", "last", "seasonal", "lower", "upper")}
        )
        steps = min(horizon, back)
        spec = None  # chosen at the first origin, refitted at the later ones
        for origin in range(len(values) - back, len(values) - steps + 1):
            if origin < 1:
                continue
            train, actual = values[:origin], values[origin : origin + steps]
            fitted = forecast_series(train, steps, params.forecast_interval, spec)
            spec = spec or fitted.spec
            bucket["actual"].extend(actual)
            bucket["model"].extend(fitted.mean)
            bucket["lower"].extend(fitted.lower)
            bucket["upper"].extend(fitted.upper)
            bucket["last"].extend(naive_last(train, steps))
            bucket["seasonal"].extend(seasonal_naive(train, steps))
            cut = months[origin - 1] if origin - 1 < len(months) else None
            window["cutoff"] = min(filter(None, [window["cutoff"], cut]), default=None)
            window["from"] = min(filter(None, [window["from"], months[origin]]), default=None)
            window["to"] = max(
                filter(None, [window["to"], months[origin + steps - 1]]), default=None
            )
    rows = []
    frame = {
        "cutoff_date": window["cutoff"],
        "evaluated_from": window["from"],
        "evaluated_to": window["to"],
    }
    note = (
        f"rolling origins over the last {back} months, {horizon} months ahead; "
        "cutoff_date = the month start of the earliest origin's last training month"
    )
    for model_name, bucket in sorted(results.items()):
        actual = np.array(bucket["actual"])
        n = len(actual)
        if n == 0:
            rows.append(
                backtest.row(
                    model_name,
                    "mape",
                    "none",
                    None,
                    None,
                    lower_is_better=True,
                    n_observations=0,
                    note=f"series shorter than the backtest ({back} months)",
                    **frame,
                )
            )
            continue
        model = np.array(bucket["model"])
        for metric, score in (("mae_cny", backtest.mae), ("mape", backtest.mape)):
            for baseline_name, key in (
                ("naive_last_month", "last"),
                ("seasonal_naive", "seasonal"),
            ):
                rows.append(
                    backtest.row(
                        model_name,
                        metric,
                        baseline_name,
                        score(actual, model),
                        score(actual, np.array(bucket[key])),
                        lower_is_better=True,
                        n_observations=n,
                        note=note,
                        **frame,
                    )
                )
        inside = (actual >= np.array(bucket["lower"])) & (actual <= np.array(bucket["upper"]))
        rows.append(
            backtest.row(
                model_name,
                "interval_coverage",
                "nominal_level",
                float(inside.mean()),
                params.forecast_interval,
                lower_is_better=False,
                n_observations=n,
                comparable=False,
                note="share of actual months inside the prediction interval; "
                "the baseline is the nominal level (closer is better)",
                **frame,
            )
        )
    return rows
