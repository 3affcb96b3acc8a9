"""Delivering the weekly report: e-mail (SMTP) and the sales teams' group bots (WeCom,
DingTalk, Feishu). Builds and sends the messages; imports no Dagster
(`ka_pipeline/defs/delivery` wires it in as `reports/weekly_report_delivery`).

What each message carries is the report itself: the report has no contact names, phones or
e-mails, and nothing is added here.
"""

from ka_pipeline.delivery.channels import ChannelResult, DeliveryConfig, deliver
from ka_pipeline.delivery.report_files import ReportFiles

__all__ = ["ChannelResult", "DeliveryConfig", "ReportFiles", "deliver"]
