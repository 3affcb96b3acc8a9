"""Which channels are configured, and sending the report on each of them.

Non-secret settings (SMTP server, recipients, the report's base URL) arrive as a
`DeliveryConfig`, built from `Settings`. Secrets are read from the environment here, when
used: the SMTP password, the bots' webhook URLs (each holds the bot's access token) and
DingTalk's signing secret.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from ka_pipeline.alerts import summarise_error
from ka_pipeline.delivery.email import SmtpServer, build_message, send_message
from ka_pipeline.delivery.report_files import ReportFiles
from ka_pipeline.delivery.webhooks import PAYLOADS, dingtalk_signed_url, post_json

SMTP_PASSWORD_ENV = "KA_SMTP_PASSWORD"
DINGTALK_SECRET_ENV = "KA_DINGTALK_SECRET"
WEBHOOK_ENV = {
    "wecom": "KA_WECOM_WEBHOOK_URL",
    "dingtalk": "KA_DINGTALK_WEBHOOK_URL",
    "feishu": "KA_FEISHU_WEBHOOK_URL",
}


@dataclass(frozen=True)
class DeliveryConfig:
    smtp_host: str | None = None
    smtp_port: int = 587
    smtp_security: str = "starttls"
    smtp_user: str | None = None
    mail_from: str | None = None
    mail_to: tuple[str, ...] = ()
    base_url: str | None = None

    @property
    def email_configured(self) -> bool:
        return bool(self.smtp_host and self.mail_to)


@dataclass(frozen=True)
class ChannelResult:
    channel: str  # email | wecom | dingtalk | feishu
    ok: bool
    error: str = ""


def configured_channels(config: DeliveryConfig, env: Mapping[str, str]) -> list[str]:
    email = ["email"] if config.email_configured else []
    return email + [name for name, var in WEBHOOK_ENV.items() if env.get(var)]


def deliver(
    files: ReportFiles, config: DeliveryConfig, env: Mapping[str, str] | None = None
) -> list[ChannelResult]:
    """Send the report on every configured channel; one channel's failure stops no other."""
    env = os.environ if env is None else env
    link = files.link(config.base_url) if config.base_url else None
    results = []
    for channel in configured_channels(config, env):
        try:
            if channel == "email":
                _send_email(files, config, link, env)
            else:
                _send_bot(channel, files, link, env)
        except Exception as error:  # any failure is this channel's, reported, never raised
            results.append(ChannelResult(channel, False, summarise_error(f"{error!r}")))
        else:
            results.append(ChannelResult(channel, True))
    return results


def _send_email(
    files: ReportFiles, config: DeliveryConfig, link: str | None, env: Mapping[str, str]
) -> None:
    sender = config.mail_from or config.smtp_user or f"ka-pipeline@{config.smtp_host}"
    message = build_message(files, sender, list(config.mail_to), link)
    server = SmtpServer(
        config.smtp_host or "", config.smtp_port, config.smtp_security, config.smtp_user
    )
    send_message(message, server, env.get(SMTP_PASSWORD_ENV))


def _send_bot(channel: str, files: ReportFiles, link: str | None, env: Mapping[str, str]) -> None:
    url = env[WEBHOOK_ENV[channel]]
    if channel == "dingtalk" and env.get(DINGTALK_SECRET_ENV):
        url = dingtalk_signed_url(url, env[DINGTALK_SECRET_ENV])
    post_json(url, PAYLOADS[channel](files.title, files.summary_text(), link))
