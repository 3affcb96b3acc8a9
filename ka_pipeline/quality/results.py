"""What a suite run found, in terms an engineer can act on (no GX or Dagster types here).

Each expectation becomes an `ExpectationOutcome`: its severity (after the small-batch rule),
how many rows failed, the observed vs. expected value, a few sample values (the delivered
text for derived columns) and the delivered file and row they come from.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ka_pipeline.personal_data import redact_value
from ka_pipeline.quality.frames import Batch
from ka_pipeline.quality.share_gate import project_share_gate_z, wilson_lower_bound
from ka_pipeline.quality.suites import Suite

if TYPE_CHECKING:
    import pandas as pd

MAX_SAMPLES = 5
MAX_ROWS = 3
_HIDDEN_KWARGS = {"column", "column_list", "batch_id", "result_format", "catch_exceptions"}


@dataclass
class ExpectationOutcome:
    index: int
    type: str
    column: str | None
    declared_severity: str
    severity: str  # effective: an error on too small a batch is reported as warn
    success: bool
    why: str = ""
    element_count: int | None = None
    unexpected_count: int | None = None
    unexpected_percent: float | None = None
    observed_value: Any = None
    expected: str = ""
    samples: list[str] = field(default_factory=list)
    rows: list[str] = field(default_factory=list)
    exception: str | None = None
    note: str | None = None
    missing_count: int | None = None  # rows GX did not consider (the share gate needs it)
    kwargs: dict[str, Any] = field(default_factory=dict, repr=False)  # as GX resolved them

    @property
    def label(self) -> str:
        short = self.type.removeprefix("expect_")
        return f"{short}({self.column})" if self.column else short

    @property
    def found(self) -> str:
        if self.exception:
            return f"could not be evaluated: {self.exception}"
        if self.unexpected_count is not None:
            pct = (
                f" ({self.unexpected_percent:.1f} %)" if self.unexpected_percent is not None else ""
            )
            # GX leaves element_count out for some expectations (e.g. a column max)
            of = f" of {self.element_count:,}" if self.element_count is not None else ""
            return f"{self.unexpected_count:,}{of} rows{pct}"
        return f"observed {_short(self.observed_value)}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "expectation": self.type,
            "column": self.column,
            "severity": self.severity,
            "declared_severity": self.declared_severity,
            "why": self.why,
            "unexpected_count": self.unexpected_count,
            "element_count": self.element_count,
            "unexpected_percent": self.unexpected_percent,
            "observed_value": _jsonable(self.observed_value),
            "expected": self.expected,
            "samples": self.samples,
            "rows": self.rows,
            "exception": self.exception,
            "note": self.note,
        }


@dataclass
class SuiteResult:
    suite: Suite
    description: str
    rows: int
    outcomes: list[ExpectationOutcome]
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0
    parameters: dict[str, Any] = field(default_factory=dict)  # values from outside the frame

    @property
    def failed(self) -> list[ExpectationOutcome]:
        return [o for o in self.outcomes if not o.success]

    @property
    def errors(self) -> list[ExpectationOutcome]:
        return [o for o in self.failed if o.severity == "error"]

    @property
    def warnings(self) -> list[ExpectationOutcome]:
        return [o for o in self.failed if o.severity == "warn"]

    @property
    def passed(self) -> bool:
        return not self.failed

    @property
    def severity(self) -> str | None:
        """`error` when an error expectation failed, `warn` when only warn ones did."""
        if self.errors:
            return "error"
        return "warn" if self.warnings else None

    def summary(self) -> str:
        head = f"{len(self.outcomes)} expectations on {self.description}"
        if self.passed and self.rows == 0:  # say so: "all passed" would read as checked
            return f"No rows to validate: {head}; only the table-level ones applied."
        if self.passed:
            return f"All {head} passed."
        parts = [f"{len(self.errors)} error(s)"] if self.errors else []
        parts += [f"{len(self.warnings)} warning(s)"] if self.warnings else []
        first = (self.errors or self.warnings)[:3]
        detail = "; ".join(f"{o.label}: {o.found}" for o in first)
        return f"{' and '.join(parts)} of {head}. {detail}"

    def markdown(self) -> str:
        if self.passed:
            return "All expectations passed."
        lines = [
            "| severity | expectation | found | expected | samples | where |",
            "|---|---|---|---|---|---|",
        ]
        for o in sorted(self.failed, key=lambda o: (o.severity != "error", o.index)):
            severity = o.severity.upper() + (f" ({o.note})" if o.note else "")
            lines.append(
                "| "
                + " | ".join(
                    _cell(v)
                    for v in (
                        severity,
                        f"`{o.label}`" + (f" — {o.why}" if o.why else ""),
                        o.found,
                        o.expected,
                        ", ".join(o.samples),
                        "<br>".join(o.rows),
                    )
                )
                + " |"
            )
        return "\n".join(lines)


def _cell(value: str) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ")


def _short(value: Any, limit: int = 80) -> str:
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return None if math.isnan(value) else value
    if hasattr(value, "item"):  # numpy scalars
        return _jsonable(value.item())
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return str(value)


def _is_missing(value: Any) -> bool:
    import pandas as pd

    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _expected(kwargs: dict[str, Any]) -> str:
    shown = []
    for key, value in kwargs.items():
        if key in _HIDDEN_KWARGS or value is None:
            continue
        if key in ("value_set", "column_set") and isinstance(value, (list, tuple, set)):
            values = sorted(map(str, value))
            value = (
                "{"
                + ", ".join(values[:8])
                + (f", … {len(values)} values" if len(values) > 8 else "")
                + "}"
            )
        shown.append(f"{key}={value}")
    return ", ".join(shown)


def _failing_rows(
    batch: Batch, column: str, kwargs: dict, gx_type: str, unexpected: list
) -> pd.DataFrame:
    frame = batch.frame
    if kwargs.get("row_condition") and kwargs.get("condition_parser") == "pandas":
        frame = frame.query(kwargs["row_condition"], engine="python")
    if gx_type == "expect_column_values_to_not_be_null" or (
        unexpected and all(_is_missing(v) for v in unexpected)
    ):
        return frame[frame[column].isna()]
    values = [v for v in unexpected if not _is_missing(v)]
    try:
        return frame[frame[column].isin(values)]
    except TypeError:  # unhashable values (e.g. compound keys)
        return frame.iloc[0:0]


PERSONAL_DATA = "(personal data, not shown)"


def _locate(
    suite: Suite, batch: Batch, outcome: ExpectationOutcome, kwargs: dict, unexpected: list
) -> None:
    """Fill samples (delivered text for derived columns) and the file:row they come from.
    Values of the suite's `personal_data_columns` never leave the warehouse; in a suite of
    such an entity any other value is shown only when it is a plain token (a mis-shaped row
    shifts names into other columns), and e-mails and phones are redacted everywhere."""
    column = outcome.column
    personal = set(suite.meta.get("personal_data_columns", []))
    source = batch.sources.get(column, column) if column else None
    if {column, source} & personal:
        outcome.samples = [PERSONAL_DATA]
        return

    def shown(value: object, limit: int) -> str:
        return _short(redact_value(value, personal_entity=bool(personal)), limit)

    if not column or column not in batch.frame:
        outcome.samples = _distinct([shown(v, 40) for v in unexpected])
        return
    hits = _failing_rows(batch, column, kwargs, outcome.type, unexpected).head(200)
    shown_column = source if source in batch.frame else column
    outcome.samples = _distinct([shown(v, 40) for v in hits[shown_column].tolist()]) or _distinct(
        [shown(v, 40) for v in unexpected]
    )
    if {"_source_file", "_row_number"} <= set(hits.columns):
        outcome.rows = [
            f"{f}:{r} ({shown_column}={shown(v, 30)})"
            for f, r, v in hits[["_source_file", "_row_number", shown_column]]
            .head(MAX_ROWS)
            .itertuples(index=False)
        ]
    elif "account_id" in hits.columns and column != "account_id":
        outcome.rows = [f"account_id={shown(a, 30)}" for a in hits["account_id"].head(MAX_ROWS)]


def _distinct(values: list[str]) -> list[str]:
    seen: list[str] = []
    for value in values:
        if value not in seen:
            seen.append(value)
        if len(seen) == MAX_SAMPLES:
            break
    return seen


def outcome_from_gx(suite: Suite, batch: Batch, gx_result: Any) -> ExpectationOutcome:
    """One GX ExpectationValidationResult on one frame -> an outcome with GX's counts and,
    when it failed, samples and rows. Severity rules come after: see `judge`."""
    config = gx_result.expectation_config
    index = int(config.meta["ka_index"])
    declared = suite.expectations[index]
    meta = declared.get("meta", {})
    kwargs = dict(config.kwargs)
    column = kwargs.get("column") or (
        ",".join(kwargs["column_list"]) if kwargs.get("column_list") else None
    )
    result = gx_result.result or {}
    exception = None
    info = gx_result.exception_info or {}
    if info.get("raised_exception"):
        exception = str(info.get("exception_message"))
    else:  # GX keys exception info by metric when a metric failed
        for value in info.values():
            if isinstance(value, dict) and value.get("raised_exception"):
                exception = str(value.get("exception_message"))
                break
    outcome = ExpectationOutcome(
        index=index,
        type=config.type,
        column=column,
        declared_severity=suite.severity(index),
        severity=suite.severity(index),
        success=bool(gx_result.success) and exception is None,
        why=meta.get("why", ""),
        element_count=result.get("element_count"),
        unexpected_count=result.get("unexpected_count"),
        unexpected_percent=result.get("unexpected_percent"),
        observed_value=result.get("observed_value"),
        expected=_expected(kwargs),
        exception=exception,
        missing_count=result.get("missing_count"),
        kwargs=kwargs,
    )
    if not outcome.success:
        _locate(suite, batch, outcome, kwargs, list(result.get("partial_unexpected_list") or []))
    return outcome


def _between(value: float, kwargs: dict[str, Any]) -> bool:
    """GX's `_validate_metric_value_between` for numbers (strict_min / strict_max)."""
    low, high = kwargs.get("min_value"), kwargs.get("max_value")
    above = low is None or (value > low if kwargs.get("strict_min") else value >= low)
    below = high is None or (value < high if kwargs.get("strict_max") else value <= high)
    return above and below


def outcome_from_count(
    suite: Suite, index: int, non_null: int | None, rows: int
) -> ExpectationOutcome:
    """A non-null proportion counted in SQL (`raw_batch`), as GX reports it from a frame:
    observed = non-null values / rows (0 on no rows), judged by GX's between rule; a column
    the table lacks (`non_null` None) could not be evaluated, in GX's words. Such an
    outcome has no samples: GX lists no unexpected values for a proportion either."""
    declared = suite.expectations[index]
    kwargs = dict(declared["kwargs"])
    column = kwargs["column"]
    exception = None
    observed: float | None = 0
    if non_null is None:
        exception = f'Error: The column "{column}" in BatchData does not exist.'
        observed = None
    elif rows:
        observed = non_null / rows
    return ExpectationOutcome(
        index=index,
        type=declared["type"],
        column=column,
        declared_severity=suite.severity(index),
        severity=suite.severity(index),
        success=observed is not None and _between(observed, kwargs),
        why=declared.get("meta", {}).get("why", ""),
        observed_value=observed,
        expected=_expected(kwargs),
        exception=exception,
        kwargs=kwargs,
    )


def _failing_percent_lower_bound(outcome: ExpectationOutcome) -> float | None:
    """The share gate's lower bound of the failing percent (`share_gate`), of the rows GX
    judged (missing values excluded, as in its unexpected_percent)."""
    if outcome.unexpected_count is None or outcome.element_count is None:
        return outcome.unexpected_percent
    judged = outcome.element_count - (outcome.missing_count or 0)
    z = project_share_gate_z()
    return 100.0 * wilson_lower_bound(outcome.unexpected_count, judged, z)


def _escalate_systemic_share(outcome: ExpectationOutcome, error_above: float) -> None:
    """A warning rule broken by a systemic share is an error: when even the lower bound of
    the failing share is above `error_above` percent."""
    lower_bound = _failing_percent_lower_bound(outcome)
    if lower_bound is None:
        return
    if lower_bound > error_above:
        outcome.severity = "error"
    elif (outcome.unexpected_percent or 0) > error_above:
        outcome.note = (
            f"{outcome.unexpected_percent:.1f} % failing, but its lower bound "
            f"{lower_bound:.1f} % is not above {error_above:g} %: too few rows to block"
        )


def judge(suite: Suite, outcome: ExpectationOutcome, rows: int) -> ExpectationOutcome:
    """The severity rules, on the whole batch of `rows` rows: a column rule cannot fail on an
    empty batch; a warning rule broken by a systemic share is an error; an error on too
    small a batch is reported as a warning. A passing outcome shows no samples."""
    meta = suite.expectations[outcome.index].get("meta", {})
    is_column_level = outcome.column is not None
    if not outcome.success and is_column_level and rows == 0:
        outcome.success, outcome.note = True, "not applicable: empty batch"
    if outcome.success:
        outcome.samples, outcome.rows = [], []
        return outcome
    error_above = meta.get("error_above_percent")
    if error_above is not None:
        _escalate_systemic_share(outcome, float(error_above))
        outcome.expected += f"; ERROR above {error_above} %"
    min_rows = int(meta.get("min_rows_to_block", suite.min_rows_to_block))
    if outcome.severity == "error" and is_column_level and rows < min_rows:
        outcome.severity = "warn"
        outcome.note = f"{rows} rows < {min_rows}: too few to block"
    return outcome
