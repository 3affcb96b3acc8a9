"""One line per step of a CLI run, with the elapsed time: what `ka-pipeline run` prints
instead of Dagster's ~1,300 log lines (`--verbose` brings those back).

The step lines go to stderr, like any progress display; stdout keeps the results.

A Dagster logger: `run_config={"loggers": {"ka_progress": {}}}` selects it, and it is
registered only on the definitions the CLI runs (`CLI_LOGGERS`), so runs from the UI or
the daemon log as usual.
"""

from __future__ import annotations

import contextlib
import logging
import os
import time
from collections.abc import Iterator

from dagster import InitLoggerContext, colored_console_logger, logger
from rich.console import Console

# what a step is, by its key: the stages a user recognises
_STAGES = (
    ("raw_quality_checks", "checks"),
    ("mart_quality_checks", "checks"),
    ("raw_", "extract"),
    ("dbt_", "dbt"),
    ("publish", "publish"),
    ("reports", "report"),
)
_MARKS = {"STEP_START": None, "STEP_SUCCESS": "[green]✓[/]", "STEP_FAILURE": "[red]✗[/]"}


def stage_of(step_key: str) -> str:
    return next((stage for prefix, stage in _STAGES if step_key.startswith(prefix)), "step")


class ProgressHandler(logging.Handler):
    """Prints a line when a step ends (with its rows when it loaded a table)."""

    def __init__(self, console: Console) -> None:
        super().__init__(logging.DEBUG)
        self.console = console
        self.started = time.perf_counter()
        self.rows: dict[str, int] = {}

    def emit(self, record: logging.LogRecord) -> None:
        # Dagster attaches the structured event to each record as `dagster_meta` (what its
        # JSON console logger prints); a record without one is a plain message
        event = (getattr(record, "dagster_meta", None) or {}).get("dagster_event")
        if event is None or not event.step_key:
            return
        kind = event.event_type_value
        if kind == "ASSET_MATERIALIZATION":
            metadata = event.step_materialization_data.materialization.metadata
            rows = metadata.get("dagster/partition_row_count") or metadata.get("dagster/row_count")
            if rows is not None:  # the same rows on each partition's event of one load
                self.rows[event.step_key] = int(rows.value)
            return
        mark = _MARKS.get(kind)
        if mark is None:
            return
        elapsed = time.perf_counter() - self.started
        stage = stage_of(event.step_key)
        rows = self.rows.get(event.step_key)
        detail = f"  {rows:,} rows" if rows is not None and stage == "extract" else ""
        self.console.print(
            f"  [dim]{elapsed:6.0f}s[/] {mark} {stage:<8} {event.step_key}{detail}",
            highlight=False,
        )


@logger(description="One line per finished step with the elapsed time (ka-pipeline run).")
def progress_logger(context: InitLoggerContext) -> logging.Logger:
    progress = logging.Logger("ka_pipeline.progress", logging.DEBUG)
    progress.addHandler(ProgressHandler(Console(stderr=True, soft_wrap=True)))
    return progress


CLI_LOGGERS = {"console": colored_console_logger, "ka_progress": progress_logger}


def loggers_config(verbose: bool) -> dict:
    """Run config: Dagster's console log at INFO with --verbose, else the step lines."""
    if verbose:
        return {"loggers": {"console": {"config": {"log_level": "INFO"}}}}
    return {"loggers": {"ka_progress": {}}}


@contextlib.contextmanager
def quiet_unless(verbose: bool) -> Iterator[None]:
    """Without --verbose, drop what the run writes to stdout: dagster-dbt echoes every dbt
    log line there, whatever the run's loggers say."""
    if verbose:
        yield
        return
    with open(os.devnull, "w") as devnull, contextlib.redirect_stdout(devnull):
        yield
