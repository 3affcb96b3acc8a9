"""Failure alerts: one line per failed run (or failed report delivery) in a log file,
optionally POSTed to a webhook.

The webhook URL is a secret and comes only from the environment (KA_ALERT_WEBHOOK_URL);
it and every other secret value are redacted from what an alert says.
"""

from __future__ import annotations

import json
import urllib.parse
import urllib.request
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from ka_pipeline.personal_data import redact_text
from ka_pipeline.secrets import redact

WEBHOOK_ENV_VAR = "KA_ALERT_WEBHOOK_URL"


@dataclass(frozen=True)
class RunAlert:
    job: str
    run_id: str
    partition: str  # a key, a range "start..end", or "-" for unpartitioned runs
    failed_steps: tuple[str, ...]
    error: str  # first line(s) of the failure message, shortened
    # RUN_FAILURE, or DELIVERY_FAILURE for a weekly report that could not be sent on a channel
    # (the run itself succeeds)
    kind: str = "RUN_FAILURE"

    def line(self, at: datetime) -> str:
        steps = ",".join(self.failed_steps) or "-"
        return (
            f"{at.isoformat(timespec='seconds')} {self.kind} job={self.job} "
            f"partition={self.partition} steps={steps} run_id={self.run_id} "
            f"error={json.dumps(self.error, ensure_ascii=False)}"
        )


def summarise_error(message: str, limit: int = 300) -> str:
    """The message on one line, secrets and e-mails / phones redacted, shortened to `limit`
    characters."""
    text = redact_text(redact(" ".join(message.split())))
    return text if len(text) <= limit else text[: limit - 1] + "…"


def send_alert(alert: RunAlert, log_path: Path, webhook_url: str | None) -> None:
    """Append the alert line to `log_path`; POST it as JSON to `webhook_url` if given."""
    now = datetime.now(UTC)
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("a", encoding="utf-8") as log:
        log.write(alert.line(now) + "\n")
    if webhook_url:
        body = json.dumps({"text": alert.line(now), **asdict(alert)}, ensure_ascii=False).encode(
            "utf-8"
        )
        request = urllib.request.Request(
            webhook_url, data=body, headers={"Content-Type": "application/json"}, method="POST"
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                response.read()
        except OSError as error:  # the URL is a secret: name only its host
            host = urllib.parse.urlsplit(webhook_url).hostname or "?"
            raise RuntimeError(
                f"alert webhook on host {host} failed: {redact(str(error))}"
            ) from None
