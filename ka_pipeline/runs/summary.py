"""The end-of-run summary of `ka-pipeline run`: rows per layer, quarantine, files not
loaded, checks, outputs.

The warehouse is read read-only after the run has released it. The figures are counts of
what the run left behind, not metrics: metrics live in the marts.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb
from rich.markup import escape

from ka_pipeline.mapping import MappingError, load_mapping
from ka_pipeline.mapping.files import files_not_loaded
from ka_pipeline.runs.outcome import RunOutcome
from ka_pipeline.settings import Settings

LAYERS = ("raw", "staging", "quality", "core", "marts")


@dataclass(frozen=True)
class WarehouseCounts:
    tables: dict[str, int]  # schema.table -> rows
    quarantined_rows: int | None
    unreconciled_files: int | None

    def rows_per_layer(self) -> dict[str, tuple[int, int]]:
        """layer -> (tables, rows), in the order data flows."""
        layers: dict[str, tuple[int, int]] = {}
        for name, rows in self.tables.items():
            schema = name.split(".", 1)[0]
            tables, total = layers.get(schema, (0, 0))
            layers[schema] = (tables + 1, total + rows)
        order = {layer: i for i, layer in enumerate(LAYERS)}
        return dict(sorted(layers.items(), key=lambda item: order.get(item[0], len(order))))


def warehouse_counts(warehouse: Path) -> WarehouseCounts:
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        names = conn.execute(
            "select table_schema, table_name from information_schema.tables "
            "where table_type = 'BASE TABLE' order by 1, 2"
        ).fetchall()
        tables = {
            f"{schema}.{table}": conn.execute(
                f'select count(*) from "{schema}"."{table}"'
            ).fetchone()[0]
            for schema, table in names
        }
        quarantined = unreconciled = None
        if "quality.dq_quarantined_rows" in tables:
            quarantined = tables["quality.dq_quarantined_rows"]
        if "quality.dq_file_reconciliation" in tables:
            unreconciled = conn.execute(
                "select count(*) from quality.dq_file_reconciliation where not is_reconciled"
            ).fetchone()[0]
    return WarehouseCounts(tables, quarantined, unreconciled)


def render_summary(
    settings: Settings, outcome: RunOutcome, seconds: float, verbose: bool = False
) -> list[str]:
    """Rich-markup lines of the summary."""
    status = "[green]succeeded[/]" if outcome.success else "[red]FAILED[/]"
    lines = [f"\nRun {outcome.run_id} {status} in {seconds:.0f} s"]
    for step, error in outcome.failures:
        lines.append(f"  [red]✗ {step}[/]: {_first_lines(error)}")
    counts = _counts_if_readable(settings.warehouse_path)
    if counts is None:
        lines.append(f"\n(no row counts: {settings.warehouse_path} is missing or still held)")
    else:
        lines.append("\nRows per layer:")
        for layer, (tables, rows) in counts.rows_per_layer().items():
            lines.append(f"  {layer:<18} {rows:>12,} rows in {tables} tables")
        if verbose:
            width = max(map(len, counts.tables), default=0)
            lines += [f"    {name:<{width}}  {rows:>10,}" for name, rows in counts.tables.items()]
        if counts.quarantined_rows is not None:
            lines.append(
                f"  quarantined {counts.quarantined_rows:,} rows (quality.dq_quarantined_rows); "
                f"files not reconciled: {counts.unreconciled_files}"
            )
    lines.extend(_not_loaded_lines(settings))
    lines.append(
        f"\nChecks: {outcome.checks_evaluated} evaluated, {len(outcome.errors)} failed, "
        f"{len(outcome.warnings)} warned"
    )
    for check in outcome.errors + outcome.warnings:
        colour = "red" if check.severity == "ERROR" else "yellow"
        lines.append(
            f"  [{colour}]{check.severity}[/] {check.name}: {_first_lines(check.description)}"
        )
    return lines


def _not_loaded_lines(settings: Settings, limit: int = 20) -> list[str]:
    """The files in mapped folders no run loads (misnamed), so a run never skips one silently."""
    try:
        mapping = load_mapping(settings.mapping_file)
    except MappingError:  # the run itself has already failed on it, with the message
        return []
    not_loaded = files_not_loaded(mapping, settings.landing_dir)
    if not not_loaded:
        return []
    lines = [f"\n[yellow]Files not loaded: {len(not_loaded)}[/] (their names fit no mapped path)"]
    lines += [f"  {_first_lines(f.describe(settings.landing_dir))}" for f in not_loaded[:limit]]
    if len(not_loaded) > limit:
        lines.append(
            f"  … and {len(not_loaded) - limit} more (ka-pipeline check-mapping lists all)"
        )
    return lines


def _counts_if_readable(warehouse: Path) -> WarehouseCounts | None:
    """The counts, or None when the warehouse is missing or a process of a failed run (an
    orphaned dbt) still holds it: the summary must not hide the run's own error."""
    if not warehouse.exists():
        return None
    try:
        return warehouse_counts(warehouse)
    except duckdb.IOException:
        return None


def _first_lines(text: str, limit: int = 300) -> str:
    """One line of at most `limit` characters, safe to print as rich markup."""
    text = " ".join(text.split())
    return escape(text if len(text) <= limit else text[: limit - 1] + "…")
