"""The files of one rendered weekly report that a delivery sends or links to."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class ReportFiles:
    week: str  # ISO week label, 2024-W52
    language: str  # zh | en
    html: Path  # self-contained: charts as data: URIs
    xlsx: Path  # the key-account review list
    summary: Path  # Markdown

    @property
    def title(self) -> str:
        """The first line of the summary (its heading), without the Markdown mark."""
        lines = self.summary_text().splitlines()
        return (lines[0].lstrip("# ").strip() if lines else "") or f"Weekly report {self.week}"

    def summary_text(self) -> str:
        return self.summary.read_text(encoding="utf-8")

    def link(self, base_url: str) -> str:
        """Where the report is served: `base_url` points at the `<output>/reports` folder."""
        return f"{base_url.rstrip('/')}/{self.week}/{self.language}/{self.html.name}"
