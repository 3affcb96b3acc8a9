"""The report as an e-mail: the report's HTML as the body with its charts as inline (CID)
images, the review list (XLSX) attached; sent over SMTP."""

from __future__ import annotations

import base64
import re
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import make_msgid

from ka_pipeline.delivery.report_files import ReportFiles

# the report embeds each chart as a data: URI; mail clients block those, but show CID images
_DATA_URI = re.compile(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"')
XLSX_TYPE = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")


@dataclass(frozen=True)
class SmtpServer:
    host: str
    port: int
    security: str  # starttls | ssl | none
    user: str | None = None


def build_message(
    files: ReportFiles, sender: str, recipients: list[str], link: str | None = None
) -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = files.title
    message["From"] = sender
    message["To"] = ", ".join(recipients)
    text = files.summary_text() + (f"\n{link}\n" if link else "")
    message.set_content(text)

    images: list[tuple[str, bytes]] = []

    def to_cid(match: re.Match) -> str:
        cid = make_msgid(domain="ka-pipeline")
        images.append((cid, base64.b64decode(match.group(1))))
        return f'src="cid:{cid[1:-1]}"'

    html = _DATA_URI.sub(to_cid, files.html.read_text(encoding="utf-8"))
    message.add_alternative(html, subtype="html")
    html_part = message.get_payload()[1]
    for cid, png in images:
        html_part.add_related(png, "image", "png", cid=cid, disposition="inline")
    message.add_attachment(
        files.xlsx.read_bytes(),
        *XLSX_TYPE,
        filename=f"{files.week}_{files.xlsx.name}",
    )
    return message


def send_message(message: EmailMessage, server: SmtpServer, password: str | None) -> None:
    context = ssl.create_default_context()
    if server.security == "ssl":
        client = smtplib.SMTP_SSL(server.host, server.port, timeout=30, context=context)
    else:
        client = smtplib.SMTP(server.host, server.port, timeout=30)
    with client:
        if server.security == "starttls":
            client.starttls(context=context)
        if server.user:
            client.login(server.user, password or "")
        client.send_message(message)
