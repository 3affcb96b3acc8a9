"""Operational settings: where files live and how DuckDB runs.

Every value is checked when the settings are read: a bad one raises ConfigError naming
the variable, the value and the rule, before anything touches a file or SQL.

Metric parameters (windows, thresholds, as-of date) are not here: they live in the `vars:`
block of `dbt_project/dbt_project.yml`, next to the SQL that uses them. Everything here
comes from environment variables with defaults that work from a fresh clone.

| variable | default | meaning |
|---|---|---|
| KA_DATA_DIR | <repo>/data | root of landing, warehouse and outputs |
| KA_LANDING_DIR | $KA_DATA_DIR/landing | where source systems drop their exports |
| KA_WAREHOUSE_PATH | $KA_DATA_DIR/warehouse/warehouse.duckdb | the DuckDB warehouse file |
| KA_OUTPUT_DIR | $KA_DATA_DIR/outputs | reports and published releases |
| KA_TIMEZONE | Asia/Shanghai | business timezone of partitions and schedules |
| KA_PARTITIONS_START | 2023-01-01 | first daily partition |
| KA_DUCKDB_MEMORY_LIMIT | 1536MB | DuckDB memory limit per process (extraction, checks, dbt) |
| KA_DUCKDB_THREADS | 2 | DuckDB worker threads |
| KA_SERVING_KEEP_RELEASES | 7 | BI releases kept in $KA_OUTPUT_DIR/serving for rollback |
| KA_WAREHOUSE_WAIT_SECONDS | 0 | seconds a CLI run waits for a held warehouse (0..3600) |
| KA_MAPPING_FILE | landing/default_mapping.yaml | which export files to load and how (README) |
| KA_SPARK_DIR | $KA_DATA_DIR/spark | Spark warehouse, metastore and raw parquet (`spark-build`) |
| DAGSTER_HOME | $KA_DATA_DIR/dagster_home | the Dagster instance (run history, events, checks) |
| KA_SMTP_HOST | (none: no e-mail) | SMTP server that sends the weekly report |
| KA_SMTP_PORT | 587 | its port |
| KA_SMTP_SECURITY | starttls | `starttls`, `ssl` (SMTPS, usually port 465) or `none` |
| KA_SMTP_USER | (none: no login) | SMTP login; the password is the secret KA_SMTP_PASSWORD |
| KA_REPORT_MAIL_FROM | KA_SMTP_USER | sender address of the report e-mail |
| KA_REPORT_MAIL_TO | (none: no e-mail) | recipients, comma-separated |
| KA_REPORT_BASE_URL | (none: no link) | URL serving `$KA_OUTPUT_DIR/reports`: the bots' link |

Secrets are not settings: they are read from the environment where used and never shown in
Dagster. KA_PII_SALT (ka_pipeline/secrets.py), KA_ALERT_WEBHOOK_URL (ka_pipeline/alerts.py),
KA_SMTP_PASSWORD, the group bots' KA_WECOM_WEBHOOK_URL, KA_DINGTALK_WEBHOOK_URL (signing
secret KA_DINGTALK_SECRET) and KA_FEISHU_WEBHOOK_URL (ka_pipeline/delivery/channels.py).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

REPO_ROOT = Path(__file__).resolve().parents[1]
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"
DEFAULT_MAPPING_FILE = Path(__file__).resolve().parent / "landing" / "default_mapping.yaml"
# Per DuckDB process (the dbt process and the Dagster run's own connections each have one):
# at 10M order lines the full build peaks at 2.75 GiB in all against 5.15 GiB with 4GB,
# for 2 % more time (BENCHMARKS.md). Also the default of dbt_project/profiles.yml.
DEFAULT_DUCKDB_MEMORY_LIMIT = "1536MB"


SMTP_SECURITY = ("starttls", "ssl", "none")
_MEMORY_LIMIT = re.compile(r"\d+(\.\d+)?\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB|%)", re.IGNORECASE)


class ConfigError(ValueError):
    """A configuration value that breaks its rule; names the key and the value."""

    def __init__(self, key: str, value: object, rule: str):
        super().__init__(f"invalid configuration {key}={value!r}: must be {rule}")
        self.key, self.value, self.rule = key, value, rule


def _check(key: str, value: object, is_valid: Callable[[object], object], rule: str) -> None:
    if not is_valid(value):
        raise ConfigError(key, value, rule)


def _int(env: Mapping[str, str], key: str, default: str) -> int:
    value = env.get(key, default)
    try:
        return int(value)
    except ValueError:
        raise ConfigError(key, value, "a whole number") from None


def _addresses(value: str) -> tuple[str, ...]:
    return tuple(address.strip() for address in value.split(",") if address.strip())


def _is_iso_date(value: str) -> bool:
    try:
        return len(value) == 10 and date.fromisoformat(value) is not None
    except ValueError:
        return False


def _is_timezone(value: str) -> bool:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    landing_dir: Path
    warehouse_path: Path
    output_dir: Path
    timezone: str
    partitions_start: str
    duckdb_memory_limit: str
    duckdb_threads: int
    serving_keep_releases: int = 7
    warehouse_wait_seconds: int = 0
    mapping_file: Path = DEFAULT_MAPPING_FILE
    spark_dir: Path = REPO_ROOT / "data" / "spark"
    dagster_home: Path = REPO_ROOT / "data" / "dagster_home"
    smtp_host: str | None = None
    smtp_port: int = 587
    smtp_security: str = "starttls"
    smtp_user: str | None = None
    mail_from: str | None = None
    mail_to: tuple[str, ...] = ()
    report_base_url: str | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        data_dir = Path(env.get("KA_DATA_DIR", REPO_ROOT / "data")).resolve()
        return cls(
            data_dir=data_dir,
            landing_dir=Path(env.get("KA_LANDING_DIR", data_dir / "landing")).resolve(),
            warehouse_path=Path(
                env.get("KA_WAREHOUSE_PATH", data_dir / "warehouse" / "warehouse.duckdb")
            ).resolve(),
            output_dir=Path(env.get("KA_OUTPUT_DIR", data_dir / "outputs")).resolve(),
            timezone=env.get("KA_TIMEZONE", "Asia/Shanghai"),
            partitions_start=env.get("KA_PARTITIONS_START", "2023-01-01"),
            duckdb_memory_limit=env.get("KA_DUCKDB_MEMORY_LIMIT", DEFAULT_DUCKDB_MEMORY_LIMIT),
            duckdb_threads=_int(env, "KA_DUCKDB_THREADS", "2"),
            serving_keep_releases=_int(env, "KA_SERVING_KEEP_RELEASES", "7"),
            warehouse_wait_seconds=_int(env, "KA_WAREHOUSE_WAIT_SECONDS", "0"),
            mapping_file=Path(env.get("KA_MAPPING_FILE", DEFAULT_MAPPING_FILE)).resolve(),
            spark_dir=Path(env.get("KA_SPARK_DIR", data_dir / "spark")).resolve(),
            dagster_home=Path(env.get("DAGSTER_HOME", data_dir / "dagster_home")).resolve(),
            smtp_host=env.get("KA_SMTP_HOST") or None,
            smtp_port=_int(env, "KA_SMTP_PORT", "587"),
            smtp_security=env.get("KA_SMTP_SECURITY", "starttls"),
            smtp_user=env.get("KA_SMTP_USER") or None,
            mail_from=env.get("KA_REPORT_MAIL_FROM") or None,
            mail_to=_addresses(env.get("KA_REPORT_MAIL_TO", "")),
            report_base_url=env.get("KA_REPORT_BASE_URL") or None,
        )

    def __post_init__(self) -> None:
        _check("KA_TIMEZONE", self.timezone, _is_timezone, "an IANA timezone (Asia/Shanghai)")
        _check("KA_PARTITIONS_START", self.partitions_start, _is_iso_date, "a date YYYY-MM-DD")
        _check(
            "KA_DUCKDB_MEMORY_LIMIT",
            self.duckdb_memory_limit,
            _MEMORY_LIMIT.fullmatch,
            "a size such as 4GB, 512MB or 80%",
        )
        _check("KA_DUCKDB_THREADS", self.duckdb_threads, lambda n: 1 <= n <= 256, "1..256")
        _check("KA_SERVING_KEEP_RELEASES", self.serving_keep_releases, lambda n: n >= 1, ">= 1")
        _check(
            "KA_WAREHOUSE_WAIT_SECONDS",
            self.warehouse_wait_seconds,
            lambda n: 0 <= n <= 3600,
            "0..3600",
        )
        _check("KA_SMTP_PORT", self.smtp_port, lambda n: 1 <= n <= 65535, "1..65535")
        _check(
            "KA_SMTP_SECURITY",
            self.smtp_security,
            SMTP_SECURITY.__contains__,
            "one of " + "|".join(SMTP_SECURITY),
        )

    @property
    def serving_dir(self) -> Path:
        """Where BI releases are published (ka_pipeline/serving)."""
        return self.output_dir / "serving"

    @property
    def dbt_runs_dir(self) -> Path:
        """Where each dbt invocation of a run writes its artefacts (target folder)."""
        return self.data_dir / "dbt_runs"

    @property
    def alerts_log(self) -> Path:
        """Where the run-failure sensor appends one line per failed run."""
        return self.data_dir / "logs" / "alerts.log"

    def dbt_env(self) -> dict[str, str]:
        """The environment of a dbt process: the connection values `profiles.yml` reads.

        `profiles.yml` has no defaults of its own, so dbt sees exactly these values, resolved
        to absolute paths: one warehouse file for the Python steps and dbt, whatever the cwd.
        """
        return {
            "KA_WAREHOUSE_PATH": str(self.warehouse_path),
            "KA_DUCKDB_MEMORY_LIMIT": self.duckdb_memory_limit,
            "KA_DUCKDB_THREADS": str(self.duckdb_threads),
            # the dbt-duckdb plugin pii_salt resolves the salt of this data directory
            "KA_DATA_DIR": str(self.data_dir),
            "KA_SPARK_DIR": str(self.spark_dir),
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        }
