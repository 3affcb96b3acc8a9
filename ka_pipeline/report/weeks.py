"""ISO weeks (Monday to Sunday) of the weekly report.

A report week is named by its ISO label (`2024-W52`), which is also its folder name; the
Dagster partition key of the same week is its Monday (`2024-12-23`). The as-of date of a
week is its Sunday.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

_ISO_LABEL = re.compile(r"^(\d{4})-W(\d{2})$")


@dataclass(frozen=True, order=True)
class ReportWeek:
    monday: date

    def __post_init__(self) -> None:
        if self.monday.weekday() != 0:
            raise ValueError(
                f"a report week starts on a Monday, not on {self.monday:%A} {self.monday}"
            )

    @classmethod
    def parse(cls, text: str) -> ReportWeek:
        """From an ISO label (`2024-W52`) or any date of the week (`2024-12-23`)."""
        text = text.strip()
        match = _ISO_LABEL.match(text)
        if match:
            return cls(date.fromisocalendar(int(match.group(1)), int(match.group(2)), 1))
        return cls.containing(date.fromisoformat(text))

    @classmethod
    def containing(cls, day: date) -> ReportWeek:
        return cls(day - timedelta(days=day.weekday()))

    @classmethod
    def latest_complete(cls, as_of: date) -> ReportWeek:
        """The newest week whose Sunday is on or before `as_of`."""
        sunday = as_of - timedelta(days=(as_of.weekday() + 1) % 7)
        return cls(sunday - timedelta(days=6))

    @property
    def sunday(self) -> date:
        return self.monday + timedelta(days=6)

    @property
    def label(self) -> str:
        year, week, _ = self.monday.isocalendar()
        return f"{year}-W{week:02d}"

    @property
    def partition_key(self) -> str:
        return self.monday.isoformat()

    @property
    def previous(self) -> ReportWeek:
        return ReportWeek(self.monday - timedelta(days=7))

    def __str__(self) -> str:
        return self.label


def is_week_label(name: str) -> bool:
    return bool(_ISO_LABEL.match(name))
