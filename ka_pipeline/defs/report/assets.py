"""The weekly report asset: `reports/weekly_report`, one partition per ISO week.

It materializes itself by declarative automation: after Monday 01:00 (business timezone),
once every mart it reads has been rebuilt since then (the 02:00 nightly run of Sunday) and
their blocking checks passed, Dagster requests the week just ended. The asset's own gate
(`assert_upstream_checks_passed`) also covers runs started by hand or from the CLI.

No `from __future__ import annotations` here: Dagster resolves the Config annotation at
decoration time.
"""

from typing import Literal

from dagster import (
    AssetExecutionContext,
    AssetKey,
    AssetsDefinition,
    AutomationCondition,
    Config,
    MaterializeResult,
    MetadataValue,
    ResourceParam,
    WeeklyPartitionsDefinition,
    asset,
)
from dagster_duckdb import DuckDBResource
from pydantic import Field

from ka_pipeline.defs.quality.gate import assert_upstream_checks_passed
from ka_pipeline.defs.resources import WAREHOUSE_POOL, CodeLocationGraph, ReportOutput
from ka_pipeline.report.sources import MARTS_READ
from ka_pipeline.report.weeks import ReportWeek

WEEKLY_REPORT_KEY = AssetKey(["reports", "weekly_report"])
REPORT_GROUP = "reports"
MART_KEYS = [AssetKey(["marts", name]) for name in MARTS_READ]
# Monday 01:00: before the 02:00 nightly run that loads Sunday, so "every mart updated since
# the tick" means "rebuilt with the week's last day"
WEEKLY_REPORT_CRON = "0 1 * * 1"


def weekly_report_condition(timezone: str) -> AutomationCondition:
    """The week just ended, once its marts are rebuilt and their blocking checks passed."""
    return (
        AutomationCondition.on_cron(WEEKLY_REPORT_CRON, cron_timezone=timezone)
        & AutomationCondition.all_deps_blocking_checks_passed()
    )


class WeeklyReportConfig(Config):
    """Run config of the weekly report."""

    languages: list[str] = Field(
        default_factory=lambda: ["zh", "en"],
        description="Languages to render, each in its own folder: 'zh' and/or 'en'.",
    )
    top_n: int = Field(default=10, description="Accounts in the top-N charts (tables: the mart's).")
    review_sheets_by: Literal["region", "team"] = Field(
        default="region",
        description="One sheet of the key-account review workbook per region or per owner team.",
    )


def build_weekly_report_asset(weeks: WeeklyPartitionsDefinition, timezone: str) -> AssetsDefinition:
    """The report asset over `weeks`, automated in the business timezone."""
    return asset(
        key=WEEKLY_REPORT_KEY,
        group_name=REPORT_GROUP,
        partitions_def=weeks,
        automation_condition=weekly_report_condition(timezone),
        deps=MART_KEYS,
        kinds={"python", "pandas", "matplotlib"},
        owners=["team:analytics"],
        # reads the warehouse file: never at the same time as a step that writes it
        pool=WAREHOUSE_POOL,
        code_version="1",
        description=(
            "Weekly key-account report (seed 000's outline) for one ISO week, in Chinese and "
            "English: `<output>/reports/<YYYY-Www>/{zh,en}/report.html` (self-contained, "
            "charts embedded), `summary.md`, `charts/*.png` and `key_account_review.xlsx`. "
            "Every number is a mart column (the marts of the dbt exposure "
            "weekly_key_account_report, including 'what changed since last week'). Reads the "
            "marts as they are and states their as-of date; written atomically."
        ),
    )(weekly_report)


def weekly_report(
    context: AssetExecutionContext,
    config: WeeklyReportConfig,
    warehouse: DuckDBResource,
    report_output: ReportOutput,
    code_location: ResourceParam[CodeLocationGraph],
) -> MaterializeResult:
    # the quality gate first: a blocking check upstream of the marts that failed (or never
    # ran) stops the report before anything is written, so the previous report stays
    assert_upstream_checks_passed(context, MART_KEYS, asset_graph=code_location.asset_graph())

    from ka_pipeline.report.build import build_weekly_report  # pandas, matplotlib: lazily
    from ka_pipeline.report.markdown import metadata_markdown

    week = ReportWeek.parse(context.partition_key)
    result = build_weekly_report(
        warehouse_path=warehouse.database,
        output_dir=report_output.path,
        week=week,
        languages=config.languages,
        timezone=report_output.timezone,
        top_n=config.top_n,
        review_sheets_by=config.review_sheets_by,
    )
    if not result.as_of_matches_week:
        context.log.warning(
            f"The marts are as of {result.as_of_date}, not as of {week.sunday} (the last day of "
            f"{week.label}); the report says so on its first page."
        )
    primary = result.outputs[config.languages[0]]
    kpis = result.kpis
    metadata = {
        "summary": MetadataValue.md(metadata_markdown(primary.summary_text, primary.charts)),
        "week": week.label,
        "week_start": str(week.monday),
        "week_end": str(week.sunday),
        "marts_as_of_date": str(result.as_of_date),
        "as_of_matches_week": result.as_of_matches_week,
        "report_folder": MetadataValue.path(str(result.folder)),
        "previous_snapshot": (
            result.changes.previous.week.label if result.changes.has_previous else "none"
        ),
        "key_account_count": int(kpis["key_account_count"]),
        "window_revenue_cny": float(kpis["window_revenue_cny"]),
        "at_risk_count": int(kpis["at_risk_count"]),
        "render_seconds": round(result.seconds, 2),
    }
    if result.changes.has_previous:
        metadata.update({f"changes_{k}": v for k, v in result.changes.counts().items()})
    for code, output in result.outputs.items():
        metadata[f"html_{code}"] = MetadataValue.path(str(output.html))
        metadata[f"xlsx_{code}"] = MetadataValue.path(str(output.xlsx))
        metadata[f"summary_{code}"] = MetadataValue.path(str(output.summary))
    context.log.info(
        f"Weekly report {week.label} written to {result.folder} in {result.seconds:.1f} s"
    )
    return MaterializeResult(metadata=metadata)
