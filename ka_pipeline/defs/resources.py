"""Resources: every setting a step needs, bound from `Settings` by `build_resources`.

The environment is read once, at the entry points (the code location and the CLI); from
there values travel only through these resources, whose configuration the Dagster UI shows.
"""

import os
import shutil
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import duckdb
from dagster import ConfigurableResource, Failure
from dagster_dbt import DbtCliResource
from dagster_duckdb import DuckDBResource
from pydantic import Field

from ka_pipeline.defs.dbt.project import dbt_executable, dbt_project
from ka_pipeline.delivery import DeliveryConfig
from ka_pipeline.settings import Settings
from ka_pipeline.warehouse_lock import WarehouseHeldError, connect_for_writing

# Every step that writes the warehouse file runs in this Dagster concurrency pool; the
# instance config (dagster_home/dagster.yaml) limits it to one step at a time, because a
# DuckDB file admits a single writer process.
WAREHOUSE_POOL = "duckdb_warehouse"


class WarehouseResource(DuckDBResource):
    """The DuckDB warehouse file.

    Unlike `DuckDBResource.get_connection`, the connection is closed also when the step
    raises: a connection left open by a failed step would keep the file locked for the
    dbt subprocess that runs next in the same process. Opening does not retry: a file held
    by another process fails the step at once, naming the holder (runs wait for the lock
    once, before they start: `ka_pipeline.warehouse_lock`).
    """

    @contextmanager
    def get_connection(self):
        conn = self._connect()
        try:
            yield conn
        finally:
            conn.close()

    def _connect(self) -> duckdb.DuckDBPyConnection:
        config = {"custom_user_agent": "ka-pipeline", **self.connection_config}
        try:
            return connect_for_writing(Path(self.database), config)
        except WarehouseHeldError as error:
            raise Failure(
                description=str(error),
                metadata={"warehouse": self.database, "held_by": error.holder},
                allow_retries=False,
            ) from None


class LandingArea(ConfigurableResource):
    """The folder the source systems deliver their exports to, and how to read it."""

    landing_dir: str
    timezone: str = Field(description="business timezone of the daily files (KA_TIMEZONE)")
    mapping_file: str = Field(description="which export files to load and how (KA_MAPPING_FILE)")

    @property
    def path(self) -> Path:
        return Path(self.landing_dir)


class ReportOutput(ConfigurableResource):
    """The report output root (`<output_dir>/reports/<week>/...`) and the business timezone."""

    output_dir: str
    timezone: str

    @property
    def path(self) -> Path:
        return Path(self.output_dir)


class ServingResource(ConfigurableResource):
    """The serving area (`<output_dir>/serving`) and how many releases it keeps."""

    serving_dir: str
    keep_releases: int

    @property
    def path(self) -> Path:
        return Path(self.serving_dir)


class ReportDelivery(ConfigurableResource):
    """Where the weekly report is sent: the SMTP server and recipients, and the URL the bots
    link to. Secrets (SMTP password, bot webhook URLs) are not here: see
    `ka_pipeline/delivery/channels.py`."""

    smtp_host: str | None = Field(default=None, description="KA_SMTP_HOST; unset: no e-mail")
    smtp_port: int = Field(default=587, description="KA_SMTP_PORT")
    smtp_security: str = Field(default="starttls", description="KA_SMTP_SECURITY")
    smtp_user: str | None = Field(default=None, description="KA_SMTP_USER")
    mail_from: str | None = Field(default=None, description="KA_REPORT_MAIL_FROM")
    mail_to: list[str] = Field(default_factory=list, description="KA_REPORT_MAIL_TO")
    base_url: str | None = Field(default=None, description="KA_REPORT_BASE_URL")

    def delivery_config(self) -> DeliveryConfig:
        return DeliveryConfig(
            smtp_host=self.smtp_host,
            smtp_port=self.smtp_port,
            smtp_security=self.smtp_security,
            smtp_user=self.smtp_user,
            mail_from=self.mail_from,
            mail_to=tuple(self.mail_to),
            base_url=self.base_url,
        )


class AlertLog(ConfigurableResource):
    """Where failed runs are written down (`<data>/logs/alerts.log`)."""

    path: str


class WarehouseDbtResource(DbtCliResource):
    """The dbt CLI with the warehouse's connection values in its environment.

    `profiles.yml` has no defaults: dbt gets `Settings.dbt_env()` through `env`. dagster-dbt
    builds the subprocess environment from `os.environ` and takes no environment of its own,
    so `env` is applied only while the subprocess starts, and the previous values restored.

    Each invocation's artefacts go to a folder of its own under `runs_dir` (the data
    directory), not under the installed project, which may be read-only and shared; the
    newest `DBT_RUNS_KEPT` folders are kept (each holds a manifest copy, tens of MB).
    """

    env: dict[str, str] = Field(description="KA_* values profiles.yml reads")
    runs_dir: str | None = Field(
        default=None, description="Folder of each dbt invocation's target and logs"
    )

    def cli(self, args, *, run_env: Mapping[str, str] | None = None, **kwargs):
        """`run_env`: environment variables of this invocation only (dbt macro run_var)."""
        if self.runs_dir and kwargs.get("target_path") is None:
            context = kwargs.get("context")
            name = uuid.uuid4().hex[:7]
            kwargs["target_path"] = Path(self.runs_dir) / (
                f"{context.run.run_id[:8]}-{name}" if context is not None else name
            )
            warm_start_parse(Path(self.runs_dir), kwargs["target_path"])
            prune_runs(Path(self.runs_dir), keep=DBT_RUNS_KEPT - 1)
        with _environment({**self.env, **(run_env or {})}):
            return super().cli(args, **kwargs)


DBT_RUNS_KEPT = 10


def warm_start_parse(runs_dir: Path, target: Path) -> None:
    """Start the invocation's parse from the newest earlier invocation's saved parse.

    dagster-dbt copies the installed project's `partial_parse.msgpack` (from `make setup`)
    when the target has none; dbt discards that one as soon as the profile differs, and
    the warehouse path is part of the profile, so every data directory but the default one
    re-parsed the whole project on every run (~10 s on the sample). dbt checks the copy as
    it checks any saved parse: a stale one only costs the full parse it replaces."""
    saved = [path for path in runs_dir.glob("*/partial_parse.msgpack") if path.is_file()]
    if not saved:
        return
    newest = max(saved, key=lambda path: path.stat().st_mtime)
    target.mkdir(parents=True, exist_ok=True)
    shutil.copy(newest, target / "partial_parse.msgpack")


def prune_runs(runs_dir: Path, keep: int) -> None:
    """Remove all but the `keep` newest invocation folders of `runs_dir`."""
    if not runs_dir.is_dir():
        return
    folders = sorted((p for p in runs_dir.iterdir() if p.is_dir()), key=lambda p: p.stat().st_mtime)
    for folder in folders[: max(len(folders) - keep, 0)]:
        shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def _environment(values: dict[str, str]) -> Iterator[None]:
    previous = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in previous.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


class CodeLocationGraph:
    """The asset graph of the code location being built, for the quality gate.

    An in-process run (the CLI, tests) only knows its own job's graph, which lacks the
    checks upstream of the report and the release; the gate reads the whole graph from
    here, so a run built from test settings checks the graph built from the same settings.
    `build_definitions` binds it once the Definitions exist.
    """

    def __init__(self) -> None:
        self._definitions = None

    def bind(self, definitions) -> None:
        self._definitions = definitions

    def asset_graph(self):
        if self._definitions is None:
            raise RuntimeError("CodeLocationGraph used before build_definitions bound it")
        return self._definitions.resolve_asset_graph()


def build_resources(settings: Settings, graph: CodeLocationGraph | None = None) -> dict:
    """Every resource, bound to `settings`; `graph` is bound by `build_definitions` (jobs
    run without the report or the release do not need it)."""
    settings.warehouse_path.parent.mkdir(parents=True, exist_ok=True)
    return {
        "landing": LandingArea(
            landing_dir=str(settings.landing_dir),
            timezone=settings.timezone,
            mapping_file=str(settings.mapping_file),
        ),
        "warehouse": WarehouseResource(
            database=str(settings.warehouse_path),
            connection_config={
                "memory_limit": settings.duckdb_memory_limit,
                "threads": settings.duckdb_threads,
            },
        ),
        "dbt": WarehouseDbtResource(
            project_dir=dbt_project,
            dbt_executable=dbt_executable(),
            env=settings.dbt_env(),
            runs_dir=str(settings.dbt_runs_dir),
        ),
        "report_output": ReportOutput(
            output_dir=str(settings.output_dir), timezone=settings.timezone
        ),
        "serving": ServingResource(
            serving_dir=str(settings.serving_dir), keep_releases=settings.serving_keep_releases
        ),
        "alert_log": AlertLog(path=str(settings.alerts_log)),
        "report_delivery": ReportDelivery(
            smtp_host=settings.smtp_host,
            smtp_port=settings.smtp_port,
            smtp_security=settings.smtp_security,
            smtp_user=settings.smtp_user,
            mail_from=settings.mail_from,
            mail_to=list(settings.mail_to),
            base_url=settings.report_base_url,
        ),
        "code_location": graph or CodeLocationGraph(),
    }
