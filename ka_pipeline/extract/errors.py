"""Errors for bad deliveries: each names the file, the rule and, where known, row and column.

A message may quote delivered text (a header, a reader's cause): e-mail addresses and phone
numbers in it are redacted here, once, before it reaches a log, a Dagster event or an alert.
"""

from __future__ import annotations

from pathlib import Path

from ka_pipeline.personal_data import redact_text


class LandingFileError(Exception):
    """A delivered file cannot be loaded as a whole (missing, unreadable, wrong header)."""

    def __init__(
        self,
        path: Path | str,
        rule: str,
        detail: str,
        *,
        row: int | None = None,
        column: str | None = None,
    ) -> None:
        self.path = str(path)
        self.rule = rule
        self.detail = redact_text(detail)
        self.row = row
        self.column = column
        where = self.path
        if row is not None:
            where += f", row {row}"
        if column is not None:
            where += f", column {column!r}"
        super().__init__(f"{where}: [{rule}] {self.detail}")
