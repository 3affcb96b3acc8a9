"""Secrets the pipeline needs, from the environment only.

The PII salt keys `dim_contacts.contact_hash_key`: a salted SHA-256 of a contact's e-mail
(or phone), so contacts can be matched across systems without the warehouse holding the
e-mail. Set `KA_PII_SALT` in production (from your secret store). Without it, a random
salt is generated once per installation into `$KA_DATA_DIR/secrets/pii_salt` (mode 0600,
outside the repository), so the sample works from a fresh clone and the keys stay stable
between runs. The salt is never logged, written to compiled SQL or shown in Dagster.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from pathlib import Path

PII_SALT_ENV = "KA_PII_SALT"
MIN_SALT_LENGTH = 16


def pii_salt_file(data_dir: Path) -> Path:
    return data_dir / "secrets" / "pii_salt"


def pii_salt(data_dir: Path, env: Mapping[str, str] | None = None) -> str:
    """The salt from $KA_PII_SALT, else this installation's generated salt file."""
    env = os.environ if env is None else env
    value = env.get(PII_SALT_ENV)
    if value is not None:
        if len(value) < MIN_SALT_LENGTH:
            raise ValueError(
                f"{PII_SALT_ENV} is too short ({len(value)} characters): use at least "
                f"{MIN_SALT_LENGTH} random characters (e.g. `openssl rand -hex 32`)"
            )
        return value
    path = pii_salt_file(data_dir)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))
    return path.read_text().strip()


# webhook URLs carry the bot's access token
SECRET_ENV_VARS = (
    PII_SALT_ENV,
    "KA_ALERT_WEBHOOK_URL",
    "KA_WECOM_WEBHOOK_URL",
    "KA_DINGTALK_WEBHOOK_URL",
    "KA_FEISHU_WEBHOOK_URL",
)
_SECRET_NAME_ENDINGS = ("_PASSWORD", "_SECRET", "_TOKEN", "_API_KEY")
MIN_REDACTED_LENGTH = 6  # shorter values would blank out ordinary words


def redact(text: str, env: Mapping[str, str] | None = None) -> str:
    """`text` with the value of every secret environment variable replaced by ***.

    Secrets are this project's (the PII salt, the webhook URLs) and any variable named like a
    credential (…_PASSWORD, …_SECRET, …_TOKEN, …_API_KEY). Used on everything the pipeline
    writes from error messages: alert lines, webhook bodies.
    """
    env = os.environ if env is None else env
    values = {
        value
        for name, value in env.items()
        if (name in SECRET_ENV_VARS or name.endswith(_SECRET_NAME_ENDINGS))
        and len(value) >= MIN_REDACTED_LENGTH
    }
    for value in sorted(values, key=len, reverse=True):
        text = text.replace(value, "***")
    return text
