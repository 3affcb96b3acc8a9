"""Report delivery against real local servers: the e-mail an SMTP server receives, each
group bot's JSON payload (and DingTalk's signature), and failed channels as alerts."""

from __future__ import annotations

import base64
import hashlib
import hmac
import urllib.parse
from pathlib import Path

import pytest
from dagster import AssetMaterialization, DagsterInstance, materialize
from openpyxl import Workbook
from servers.certificates import local_certificate
from servers.http import bot_server
from servers.processes import free_port
from servers.smtp import smtp_server

from ka_pipeline.defs.delivery import build_delivery_asset
from ka_pipeline.defs.partitions import weekly_partitions
from ka_pipeline.defs.report import WEEKLY_REPORT_KEY
from ka_pipeline.defs.resources import build_resources
from ka_pipeline.delivery import DeliveryConfig, ReportFiles, deliver
from ka_pipeline.delivery.webhooks import TEXT_LIMITS
from ka_pipeline.settings import Settings

WEEK, MONDAY = "2024-W52", "2024-12-23"  # its partition key
CHARTS = [b"\x89PNG\r\n\x1a\nchart-one", b"\x89PNG\r\n\x1a\nchart-two"]
BOT_ANSWERS = {
    "wecom": {"errcode": 0, "errmsg": "ok"},
    "dingtalk": {"errcode": 0, "errmsg": "ok"},
    "feishu": {"code": 0, "msg": "success"},
}


@pytest.fixture
def report(tmp_path) -> ReportFiles:
    """A rendered report's files: HTML with data: URI charts, the workbook, the summary."""
    folder = tmp_path / "reports" / WEEK / "zh"
    folder.mkdir(parents=True)
    images = "".join(
        f'<img src="data:image/png;base64,{base64.b64encode(png).decode()}" alt="c{n}">'
        for n, png in enumerate(CHARTS)
    )
    (folder / "report.html").write_text(f"<html><body>{images}</body></html>", encoding="utf-8")
    workbook = Workbook()
    workbook.active["A1"] = "华东"
    workbook.save(folder / "key_account_review.xlsx")
    summary = f"# 大客户周报 · {WEEK}\n\n" + "\n".join(f"- 指标 {n}: {n}" for n in range(3000))
    (folder / "summary.md").write_text(summary, encoding="utf-8")
    return ReportFiles(
        WEEK,
        "zh",
        folder / "report.html",
        folder / "key_account_review.xlsx",
        folder / "summary.md",
    )


def test_email_has_inline_charts_and_the_review_list(report):
    with smtp_server("reports@example.com", "smtp-password-1") as (port, mailbox):
        config = DeliveryConfig(
            smtp_host="127.0.0.1",
            smtp_port=port,
            smtp_security="none",
            smtp_user="reports@example.com",
            mail_to=("a@example.com", "b@example.com"),
        )
        results = deliver(report, config, env={"KA_SMTP_PASSWORD": "smtp-password-1"})
    assert [(r.channel, r.ok, r.error) for r in results] == [("email", True, "")]
    [message] = mailbox.messages
    assert mailbox.recipients == [["a@example.com", "b@example.com"]]
    assert message["Subject"] == f"大客户周报 · {WEEK}"
    html = message.get_body(("html",)).get_content()
    assert "data:image" not in html
    images = [p for p in message.walk() if p.get_content_type() == "image/png"]
    assert [p.get_content() for p in images] == CHARTS
    for image in images:
        assert image.get_content_disposition() == "inline"
        assert f"cid:{image['Content-ID'].strip('<>')}" in html
    [attachment] = list(message.iter_attachments())
    assert attachment.get_filename() == f"{WEEK}_key_account_review.xlsx"
    assert attachment.get_content() == report.xlsx.read_bytes()


@pytest.mark.parametrize("security", ["starttls", "ssl"])
def test_email_over_tls_verifies_the_server_certificate(report, tmp_path, monkeypatch, security):
    """STARTTLS (587) and SMTPS (465) against a server whose certificate a private CA
    signed: trusted through SSL_CERT_FILE (as for a company CA), the login and message go
    through; untrusted, the channel fails with the verification error and sends nothing."""
    certificate = local_certificate(tmp_path / "tls")
    password = {"KA_SMTP_PASSWORD": "smtp-password-1"}
    with smtp_server(
        "reports@example.com", "smtp-password-1", security=security, certificate=certificate
    ) as (port, mailbox):
        config = DeliveryConfig(
            smtp_host="127.0.0.1",
            smtp_port=port,
            smtp_security=security,
            smtp_user="reports@example.com",
            mail_to=("a@example.com",),
        )
        monkeypatch.setenv("SSL_CERT_FILE", str(tmp_path / "no-such-ca.pem"))
        [untrusted] = deliver(report, config, env=password)
        monkeypatch.setenv("SSL_CERT_FILE", str(certificate.ca))
        [trusted] = deliver(report, config, env=password)
    assert not untrusted.ok and "CERTIFICATE_VERIFY_FAILED" in untrusted.error
    assert trusted.ok, trusted.error
    [message] = mailbox.messages
    assert message["Subject"] == f"大客户周报 · {WEEK}"


def test_bots_get_their_payload_format_and_dingtalk_a_valid_signature(report):
    secret = "SEC-dingtalk-signing-secret"
    with bot_server(BOT_ANSWERS) as (base, requests):
        env = {
            "KA_WECOM_WEBHOOK_URL": f"{base}/wecom?key=k1",
            "KA_DINGTALK_WEBHOOK_URL": f"{base}/dingtalk?access_token=t1",
            "KA_DINGTALK_SECRET": secret,
            "KA_FEISHU_WEBHOOK_URL": f"{base}/feishu",
        }
        config = DeliveryConfig(base_url="https://reports.example.com/ka/")
        results = deliver(report, config, env=env)
    assert [(r.channel, r.ok) for r in results] == [
        ("wecom", True),
        ("dingtalk", True),
        ("feishu", True),
    ]
    link = f"https://reports.example.com/ka/{WEEK}/zh/report.html"
    wecom, dingtalk, feishu = (r.body for r in requests)

    assert wecom["msgtype"] == "markdown"
    content = wecom["markdown"]["content"]
    assert content.startswith(f"# 大客户周报 · {WEEK}") and content.endswith(f"({link})")
    assert len(content.encode("utf-8")) <= TEXT_LIMITS["wecom"]  # the summary, shortened

    assert dingtalk["msgtype"] == "markdown"
    assert dingtalk["markdown"]["title"] == f"大客户周报 · {WEEK}"
    assert link in dingtalk["markdown"]["text"]
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(requests[1].path).query)
    assert query["access_token"] == ["t1"]
    timestamp = query["timestamp"][0]
    expected = hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256)
    assert query["sign"] == [base64.b64encode(expected.digest()).decode()]

    assert feishu["msg_type"] == "post"
    post = feishu["content"]["post"]["zh_cn"]
    assert post["title"] == f"大客户周报 · {WEEK}"
    assert post["content"][-1] == [{"tag": "a", "text": link, "href": link}]


def test_a_bot_error_code_is_a_failed_channel(report):
    with bot_server({"wecom": {"errcode": 93000, "errmsg": "invalid webhook url"}}) as (base, _):
        [result] = deliver(report, DeliveryConfig(), env={"KA_WECOM_WEBHOOK_URL": f"{base}/wecom"})
    assert not result.ok and "93000" in result.error


def _materialize_delivery(
    tmp_path: Path, report: ReportFiles, env: dict[str, str], rendered: str = "zh"
):
    """The delivery asset of the report's week, after a recorded report materialization."""
    settings = Settings.from_env({"KA_DATA_DIR": str(tmp_path / "data"), **env})
    instance = DagsterInstance.ephemeral()
    instance.report_runless_asset_event(
        AssetMaterialization(
            WEEKLY_REPORT_KEY,
            partition=MONDAY,
            metadata={
                "week": report.week,
                f"html_{rendered}": str(report.html),
                f"xlsx_{rendered}": str(report.xlsx),
                f"summary_{rendered}": str(report.summary),
            },
        )
    )
    resources = build_resources(settings)
    result = materialize(
        [build_delivery_asset(weekly_partitions(settings))],
        instance=instance,
        partition_key=MONDAY,
        resources={k: resources[k] for k in ("report_delivery", "alert_log")},
    )
    return result, settings


def test_refused_connections_are_an_alert_not_a_failed_run(report, tmp_path, monkeypatch):
    closed = free_port()  # nothing listens there: the connection is refused
    monkeypatch.setenv("KA_FEISHU_WEBHOOK_URL", f"http://127.0.0.1:{closed}/hook/secret-token")
    monkeypatch.delenv("KA_ALERT_WEBHOOK_URL", raising=False)
    env = {
        "KA_SMTP_HOST": "127.0.0.1",
        "KA_SMTP_PORT": str(closed),
        "KA_SMTP_SECURITY": "none",
        "KA_REPORT_MAIL_TO": "a@example.com",
    }
    result, settings = _materialize_delivery(tmp_path, report, env)
    assert result.success
    [materialization] = result.asset_materializations_for_node("reports__weekly_report_delivery")
    assert materialization.metadata["failed_channels"].value == "email, feishu"
    assert "refused" in materialization.metadata["error_email"].value.lower()
    [line] = settings.alerts_log.read_text(encoding="utf-8").splitlines()
    assert "DELIVERY_FAILURE job=" in line and "steps=email,feishu" in line
    assert "secret-token" not in line


def test_nothing_is_sent_without_a_channel(report, tmp_path, monkeypatch):
    for var in ("KA_WECOM_WEBHOOK_URL", "KA_DINGTALK_WEBHOOK_URL", "KA_FEISHU_WEBHOOK_URL"):
        monkeypatch.delenv(var, raising=False)
    result, settings = _materialize_delivery(tmp_path, report, {})
    [materialization] = result.asset_materializations_for_node("reports__weekly_report_delivery")
    assert materialization.metadata["sent_to"].value == "none (no channel configured)"
    assert not settings.alerts_log.exists()


def test_a_report_rendered_in_english_only_is_sent_in_english(report, tmp_path):
    with bot_server(BOT_ANSWERS) as (base, requests):
        env = {"KA_REPORT_BASE_URL": "https://reports.example.com"}
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("KA_WECOM_WEBHOOK_URL", f"{base}/wecom")
            result, _ = _materialize_delivery(tmp_path, report, env, rendered="en")
    assert result.success
    [request] = requests
    assert f"{WEEK}/en/report.html" in request.body["markdown"]["content"]
