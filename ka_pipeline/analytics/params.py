"""The stage's parameters, read from `marts.mart_run_parameters`.

They are the `analytics_*` vars of `dbt_project/dbt_project.yml`: the dbt run records the
values it resolved (defaults or a per-run `--vars` / `dbt_vars` override) in that mart, so
the stage and the SQL models it reads cannot disagree, and there is one place to set them.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ka_pipeline.analytics.warehouse import AnalyticsWarehouse


class ParameterError(ValueError):
    """A parameter is missing from mart_run_parameters or out of its range."""


@dataclass(frozen=True)
class AnalyticsParams:
    k_min: int = 3
    k_max: int = 8
    seed: int = 20261207
    forecast_horizon_months: int = 3
    forecast_interval: float = 0.80
    backtest_months: int = 6
    clv_horizon_days: int = 90
    clv_months: int = 12
    clv_annual_discount_rate: float = 0.10

    def __post_init__(self) -> None:
        problems = []
        if not 2 <= self.k_min <= self.k_max:
            problems.append(
                f"need 2 <= analytics_k_min <= analytics_k_max ({self.k_min}, {self.k_max})"
            )
        if not 0 < self.forecast_interval < 1:
            problems.append("analytics_forecast_interval must be in (0, 1)")
        for name in (
            "forecast_horizon_months",
            "backtest_months",
            "clv_horizon_days",
            "clv_months",
        ):
            if getattr(self, name) < 1:
                problems.append(f"analytics_{name} must be >= 1")
        if self.clv_annual_discount_rate < 0:
            problems.append("analytics_clv_annual_discount_rate must be >= 0")
        if problems:
            raise ParameterError("; ".join(problems) + " (dbt_project.yml vars)")

    def as_dict(self) -> dict[str, float]:
        return {f"analytics_{f.name}": getattr(self, f.name) for f in fields(self)}


def read_params(warehouse: AnalyticsWarehouse) -> AnalyticsParams:
    frame = warehouse.query(
        "select parameter_name, resolved_value from marts.mart_run_parameters "
        "where parameter_group = 'analytics'"
    )
    rows = dict(zip(frame["parameter_name"], frame["resolved_value"], strict=True))
    values = {}
    for field in fields(AnalyticsParams):
        name = f"analytics_{field.name}"
        if name not in rows:
            raise ParameterError(
                f"{name} missing from marts.mart_run_parameters: build the dbt project first"
            )
        kind = int if field.type in (int, "int") else float
        values[field.name] = kind(float(rows[name]))
    return AnalyticsParams(**values)
