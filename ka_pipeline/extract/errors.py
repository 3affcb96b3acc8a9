"""Errors for bad deliveries: each names the file, the rule and, where known, row and column."""

from __future__ import annotations

from pathlib import Path


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
        self.detail = detail
        self.row = row
        self.column = column
        where = self.path
        if row is not None:
            where += f", row {row}"
        if column is not None:
            where += f", column {column!r}"
        super().__init__(f"{where}: [{rule}] {detail}")
