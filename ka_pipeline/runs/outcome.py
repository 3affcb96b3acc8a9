"""What a CLI run did, read from its Dagster result: steps, failures, checks."""

from __future__ import annotations

from dataclasses import dataclass, field

from dagster import AssetCheckSeverity, ExecuteInProcessResult


@dataclass(frozen=True)
class CheckOutcome:
    name: str  # asset › check
    severity: str  # ERROR | WARN
    description: str


@dataclass(frozen=True)
class RunOutcome:
    run_id: str
    success: bool
    failures: list[tuple[str, str]] = field(default_factory=list)  # (step, error)
    failed_checks: list[CheckOutcome] = field(default_factory=list)
    checks_evaluated: int = 0

    @property
    def errors(self) -> list[CheckOutcome]:
        return [c for c in self.failed_checks if c.severity == "ERROR"]

    @property
    def warnings(self) -> list[CheckOutcome]:
        return [c for c in self.failed_checks if c.severity == "WARN"]


def outcome_of(result: ExecuteInProcessResult) -> RunOutcome:
    failures = []
    for event in result.all_events:
        if event.is_step_failure:
            error = event.step_failure_data.error
            user = event.step_failure_data.user_failure_data
            message = (user.description if user and user.description else None) or (
                _root_message(error) if error else "failed"
            )
            failures.append((event.step_key or "?", message.strip()))
    evaluations = result.get_asset_check_evaluations()
    failed = [
        CheckOutcome(
            name=f"{e.asset_key.to_user_string()} › {e.check_name}",
            severity="WARN" if e.severity == AssetCheckSeverity.WARN else "ERROR",
            description=(e.description or "").strip(),
        )
        for e in evaluations
        if not e.passed
    ]
    return RunOutcome(
        run_id=result.run_id,
        success=result.success,
        failures=failures,
        failed_checks=failed,
        checks_evaluated=len(evaluations),
    )


def _root_message(error) -> str:
    """The innermost cause: Dagster wraps a step's exception in its own error types."""
    while error.cause is not None:
        error = error.cause
    return f"{error.cls_name}: {error.message}" if error.cls_name else error.message
