"""`reports/weekly_report_delivery`: sends each week's report once it is rendered.

An asset of its own, downstream of `reports/weekly_report` with the same weekly partitions,
so the UI shows the report and its delivery apart: a report that could not be sent is
still a good report. A failed channel is a warning and an alert (`alert_log`), never a
failed run.

No `from __future__ import annotations` here: Dagster resolves the Config annotation at
decoration time.
"""

import os
from pathlib import Path

from dagster import (
    AssetExecutionContext,
    AssetKey,
    AssetRecordsFilter,
    AssetsDefinition,
    AutomationCondition,
    Config,
    MaterializeResult,
    WeeklyPartitionsDefinition,
    asset,
)
from pydantic import Field

from ka_pipeline.alerts import WEBHOOK_ENV_VAR, RunAlert, send_alert
from ka_pipeline.defs.report.assets import REPORT_GROUP, WEEKLY_REPORT_KEY
from ka_pipeline.defs.resources import AlertLog, ReportDelivery
from ka_pipeline.delivery import ChannelResult, ReportFiles, deliver

DELIVERY_KEY = AssetKey(["reports", "weekly_report_delivery"])
# the report's metadata names each language's files `<kind>_<language>`
_FILES = ("html", "xlsx", "summary")


class DeliveryRunConfig(Config):
    language: str = Field(default="zh", description="Which rendered language to send: zh or en.")


def build_delivery_asset(weeks: WeeklyPartitionsDefinition) -> AssetsDefinition:
    return asset(
        key=DELIVERY_KEY,
        group_name=REPORT_GROUP,
        partitions_def=weeks,
        deps=[WEEKLY_REPORT_KEY],
        # right after the report's automated run renders the week
        automation_condition=AutomationCondition.eager(),
        kinds={"email"},
        owners=["team:analytics"],
        description=(
            "Sends the week's report: by e-mail (HTML body with inline charts, the review "
            "list attached) and to the WeCom, DingTalk and Feishu group bots (summary and "
            "link). Channels come from the environment (README, Configuration); none "
            "configured: nothing is sent."
        ),
    )(weekly_report_delivery)


def report_files(context: AssetExecutionContext, language: str) -> ReportFiles:
    """The files of this week's report, from the report's latest materialization: in
    `language`, else in the first language the report was rendered in."""
    records = context.instance.fetch_materializations(
        AssetRecordsFilter(asset_key=WEEKLY_REPORT_KEY, asset_partitions=[context.partition_key]),
        limit=1,
    ).records
    if not records:
        raise RuntimeError(f"no weekly report for {context.partition_key}: render it first")
    metadata = records[0].asset_materialization.metadata
    if f"html_{language}" not in metadata:
        rendered = next(key.removeprefix("html_") for key in metadata if key.startswith("html_"))
        context.log.warning(f"The report was not rendered in {language}: sending {rendered}")
        language = rendered
    return ReportFiles(
        week=metadata["week"].value,
        language=language,
        **{kind: Path(metadata[f"{kind}_{language}"].value) for kind in _FILES},
    )


def weekly_report_delivery(
    context: AssetExecutionContext,
    config: DeliveryRunConfig,
    report_delivery: ReportDelivery,
    alert_log: AlertLog,
) -> MaterializeResult:
    results = deliver(report_files(context, config.language), report_delivery.delivery_config())
    if not results:
        context.log.info("No delivery channel configured: the report was not sent.")
        return MaterializeResult(metadata={"sent_to": "none (no channel configured)"})
    failed = [r for r in results if not r.ok]
    for result in failed:
        context.log.warning(f"Report delivery by {result.channel} failed: {result.error}")
    if failed:
        _alert(context, alert_log, failed)
    return MaterializeResult(
        metadata={
            "sent_to": ", ".join(r.channel for r in results if r.ok) or "none",
            "failed_channels": ", ".join(r.channel for r in failed) or "none",
            **{f"error_{r.channel}": r.error for r in failed},
        }
    )


def _alert(context: AssetExecutionContext, alert_log: AlertLog, failed: list[ChannelResult]):
    alert = RunAlert(
        job=context.job_name,
        run_id=context.run_id,
        partition=context.partition_key,
        failed_steps=tuple(r.channel for r in failed),
        error="; ".join(f"{r.channel}: {r.error}" for r in failed),
        kind="DELIVERY_FAILURE",
    )
    try:
        send_alert(alert, Path(alert_log.path), os.environ.get(WEBHOOK_ENV_VAR))
    except RuntimeError as error:  # the line is written; only the alert webhook failed
        context.log.warning(str(error))
