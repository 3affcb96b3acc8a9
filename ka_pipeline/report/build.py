"""Building one week's report: read the marts, render, publish.

Output layout (one folder per ISO week, replaced as a whole):

    <output_dir>/reports/<2024-W52>/
        zh/report.html                self-contained (CSS inline, charts as data: URIs)
        zh/summary.md
        zh/key_account_review.xlsx
        zh/charts/*.png
        en/...                        the same in English

Everything is written into a hidden staging folder next to the week's folder and moved into
place only when every file is complete: a failed run leaves no half report, and the
previous report of that week (if any) stays untouched until the new one is complete. The
report writes nothing else: the account state that next week's report compares with is kept
in the warehouse by dbt (mart_report_account_state_history).
"""

from __future__ import annotations

import shutil
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from ka_pipeline.report.changes import Changes, week_over_week
from ka_pipeline.report.data import Marts, headline, load_marts
from ka_pipeline.report.i18n import LANGUAGES, Lang
from ka_pipeline.report.weeks import ReportWeek

REPORTS_FOLDER = "reports"
HTML_FILE = "report.html"
SUMMARY_FILE = "summary.md"
XLSX_FILE = "key_account_review.xlsx"
CHARTS_FOLDER = "charts"


@dataclass
class LanguageOutput:
    language: str
    folder: Path
    html: Path
    summary: Path
    xlsx: Path
    charts: list = field(default_factory=list)  # list[charts.Chart], paths in the final folder
    sheets: list[str] = field(default_factory=list)
    summary_text: str = ""


@dataclass
class ReportResult:
    week: ReportWeek
    folder: Path
    as_of_date: object
    kpis: dict
    changes: Changes
    outputs: dict[str, LanguageOutput]
    seconds: float
    timings: dict[str, float]

    @property
    def as_of_matches_week(self) -> bool:
        return self.as_of_date == self.week.sunday


def reports_dir(output_dir: Path) -> Path:
    return Path(output_dir) / REPORTS_FOLDER


def build_weekly_report(
    *,
    warehouse_path: Path | str,
    output_dir: Path | str,
    week: ReportWeek,
    languages: Sequence[str] = LANGUAGES,
    timezone: str = "Asia/Shanghai",
    top_n: int = 10,
    review_sheets_by: str = "region",
    marts: Marts | None = None,
) -> ReportResult:
    """Render the report of `week` from the marts and publish it atomically."""
    from ka_pipeline.report import charts as chart_module  # matplotlib: only when rendering
    from ka_pipeline.report.analytics_charts import render_analytics_charts
    from ka_pipeline.report.html import render_html
    from ka_pipeline.report.markdown import render_summary
    from ka_pipeline.report.xlsx import write_review_workbook

    started = time.perf_counter()
    timings: dict[str, float] = {}
    languages = list(dict.fromkeys(languages))
    if not languages:
        raise ValueError("no language to render: choose from " + ", ".join(LANGUAGES))
    langs = [Lang(code) for code in languages]  # validates the codes before any work

    tick = time.perf_counter()
    marts = marts or load_marts(warehouse_path)
    timings["read_marts"] = time.perf_counter() - tick

    root = reports_dir(Path(output_dir))
    root.mkdir(parents=True, exist_ok=True)
    final = root / week.label
    staging = root / f".staging-{week.label}-{uuid.uuid4().hex[:8]}"
    staging.mkdir()
    generated_at = datetime.now(ZoneInfo(timezone))
    try:
        changes = week_over_week(marts)
        kpis = headline(marts)
        outputs: dict[str, LanguageOutput] = {}
        for lang in langs:
            tick = time.perf_counter()
            folder = staging / lang.code
            charts = chart_module.render_charts(
                marts, changes, lang, folder / CHARTS_FOLDER, top_n=top_n
            ) + render_analytics_charts(marts, lang, folder / CHARTS_FOLDER)
            timings[f"charts_{lang.code}"] = time.perf_counter() - tick
            tick = time.perf_counter()
            html = render_html(
                marts=marts, kpis=kpis, changes=changes,
                charts={c.name: c for c in charts}, lang=lang, week=week,
                generated_at=generated_at,
                other_languages=[c for c in languages if c != lang.code],
            )  # fmt: skip
            (folder / HTML_FILE).write_text(html, encoding="utf-8")
            summary = render_summary(marts=marts, kpis=kpis, changes=changes, lang=lang, week=week)
            (folder / SUMMARY_FILE).write_text(summary, encoding="utf-8")
            sheets = write_review_workbook(
                marts, lang, week, folder / XLSX_FILE, group_by=review_sheets_by
            )
            timings[f"documents_{lang.code}"] = time.perf_counter() - tick
            outputs[lang.code] = LanguageOutput(
                language=lang.code,
                folder=folder,
                html=folder / HTML_FILE,
                summary=folder / SUMMARY_FILE,
                xlsx=folder / XLSX_FILE,
                charts=charts,
                sheets=sheets,
                summary_text=summary,
            )
        _publish(staging, final)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    for output in outputs.values():
        _relocate(output, staging, final)
    return ReportResult(
        week=week,
        folder=final,
        as_of_date=marts.as_of_date,
        kpis=kpis,
        changes=changes,
        outputs=outputs,
        seconds=time.perf_counter() - started,
        timings=timings,
    )


def _publish(staging: Path, final: Path) -> None:
    """Move the complete staging folder into place, replacing an earlier report of the week.

    Two renames on one file system; if the second fails the earlier report is put back."""
    if not final.exists():
        staging.rename(final)
        return
    retired = final.with_name(f".retired-{final.name}-{uuid.uuid4().hex[:8]}")
    final.rename(retired)
    try:
        staging.rename(final)
    except BaseException:
        retired.rename(final)
        raise
    shutil.rmtree(retired, ignore_errors=True)


def _relocate(output: LanguageOutput, staging: Path, final: Path) -> None:
    from dataclasses import replace

    def moved(path: Path) -> Path:
        return final / path.relative_to(staging)

    output.folder, output.html = moved(output.folder), moved(output.html)
    output.summary, output.xlsx = moved(output.summary), moved(output.xlsx)
    output.charts = [replace(c, path=moved(c.path)) for c in output.charts]
