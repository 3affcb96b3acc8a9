"""The `ka-pipeline` subcommands: each returns an exit code (`errors.py`) or raises a
CliError with one message."""

from __future__ import annotations

import argparse
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from rich.console import Console
from rich.markup import escape

from ka_pipeline.cli import preflight
from ka_pipeline.cli.errors import EXIT_OK, EXIT_RUN_FAILED, CliError
from ka_pipeline.cli.parameters import check_parameters, parse_parameters
from ka_pipeline.settings import REPO_ROOT, Settings

console = Console(soft_wrap=True)  # long paths stay on one line, whatever the width


def _today(settings: Settings) -> date:
    return datetime.now(ZoneInfo(settings.timezone)).date()


def cmd_generate(args: argparse.Namespace, settings: Settings) -> int:
    from ka_pipeline.generator import default_date_range, generate

    landing = settings.landing_dir
    if args.if_missing and (landing / "_generator_summary.json").exists():
        print(f"Sample data already in {landing} (delete it or drop --if-missing to regenerate)")
        return 0
    default_start, default_end = default_date_range(_today(settings))
    started = time.perf_counter()
    summary = generate(
        landing,
        start=args.start or default_start,
        end=args.end or default_end,
        seed=args.seed,
        scale=args.scale,
        defects=args.defects,
    )
    print(f"Generated sample data in {landing} ({time.perf_counter() - started:.1f} s)")
    print(summary.describe() if hasattr(summary, "describe") else summary)
    return 0


def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    """Extract and build the warehouse for the delivered days (or --start/--end), then the
    weekly report of the latest complete week."""
    from ka_pipeline.mapping import MappingError, load_mapping
    from ka_pipeline.mapping.files import NoDeliveryError, delivered_days

    today = _today(settings)
    try:
        mapping = load_mapping(settings.mapping_file)
        preflight.require_no_future_files(settings, mapping, today)
        days = delivered_days(mapping, settings.landing_dir, today - timedelta(days=1))
    except MappingError as error:
        raise CliError(f"invalid mapping file: {error}") from None
    except NoDeliveryError as error:
        raise CliError(str(error)) from None
    start, end = args.start or days[0], args.end or days[-1]
    return _build(
        args,
        settings,
        start,
        end,
        full_refresh=args.full_refresh or (args.start is None and args.end is None),
    )


def cmd_backfill(args: argparse.Namespace, settings: Settings) -> int:
    """Rebuild the days [--start, --end]: their months are re-extracted and dbt replaces
    those days in the incremental facts (the marts are rebuilt in full)."""
    return _build(args, settings, args.start, args.end, full_refresh=False)


def _build(
    args: argparse.Namespace, settings: Settings, start: date, end: date, full_refresh: bool
) -> int:
    from ka_pipeline.runs.build import BuildRequest, run_full_build
    from ka_pipeline.runs.summary import render_summary

    dbt_vars = parse_parameters(args.vars, args.set)
    full_refresh = full_refresh or args.rotate_pii_salt  # every salted key changes
    preflight.require_days_in_partitions(settings, start, end, _today(settings))
    preflight.require_manifest()
    preflight.require_free_warehouse(settings)
    preflight.require_pii_salt(settings, rotate=args.rotate_pii_salt)
    check_parameters(settings, dbt_vars)
    mode = "full refresh" if full_refresh else "incremental"
    shown_vars = f", parameters {dbt_vars}" if dbt_vars else ""
    if args.check:
        console.print(f"Ready to build {start} .. {end} ({mode}{shown_vars})", highlight=False)
        return EXIT_OK
    preflight.ensure_instance(settings)
    console.print(
        f"Building the warehouse for {start} .. {end} ({mode}{shown_vars})\n"
        f"  landing {settings.landing_dir}",
        highlight=False,
    )
    started = time.perf_counter()
    request = BuildRequest(
        start, end, full_refresh, dbt_vars, args.verbose, rotate_pii_salt=args.rotate_pii_salt
    )
    outcome = run_full_build(settings, request)
    for line in render_summary(settings, outcome, time.perf_counter() - started, args.verbose):
        console.print(line, highlight=False)
    if args.rotate_pii_salt:
        _print_salt_rotation(settings)
    report_ok = True
    if outcome.success and not args.no_report:
        report_ok = _report(args, settings)
    _print_outputs(settings)
    return EXIT_OK if outcome.success and report_ok else EXIT_RUN_FAILED


def _print_salt_rotation(settings: Settings) -> None:
    import duckdb

    from ka_pipeline.salt_fingerprint import last_rotation

    with duckdb.connect(str(settings.warehouse_path), read_only=True) as conn:
        rotation = last_rotation(conn)
    if rotation is None:
        console.print("PII salt: unchanged, nothing rotated")
    else:
        at, changed = rotation
        shown = "not counted (the build failed)" if changed is None else f"{changed:,} changed"
        console.print(f"PII salt rotated at {at}: contact_hash_key(s) {shown}", highlight=False)


def _report(args: argparse.Namespace, settings: Settings) -> bool:
    from ka_pipeline.runs.report import run_weekly_report

    console.print("\nWeekly report of the latest complete week")
    report = run_weekly_report(settings, verbose=args.verbose)
    if report.success:
        console.print(
            f"Weekly report {report.week.label} (zh, en) in {report.seconds:.1f} s: "
            f"{report.folder}",
            highlight=False,
        )
        if report.delivery:
            console.print(f"Delivery: {escape(report.delivery)}", highlight=False)
        return True
    console.print(f"[red]Weekly report {report.week.label} FAILED[/] (run {report.run_id})")
    for step, error in report.outcome.failures:
        console.print(f"  [red]✗ {step}[/]: {escape(' '.join(error.split())[:300])}")
    return False


def _print_outputs(settings: Settings) -> None:
    console.print(f"\nWarehouse:  {settings.warehouse_path}", highlight=False)
    console.print(f"Outputs:    {settings.output_dir}", highlight=False)
    if (settings.serving_dir / "current").exists():
        current = settings.serving_dir / "current" / "serving.duckdb"
        console.print(f"BI serving: {current}", highlight=False)
    console.print(f"Dagster:    {settings.dagster_home}  (UI: make dev)", highlight=False)


def cmd_rollback(args: argparse.Namespace, settings: Settings) -> int:
    from ka_pipeline.serving import ServingArea, ServingError, rollback

    area = ServingArea(settings.serving_dir)
    if not args.list:
        try:
            done = rollback(area.root, args.to)
        except ServingError as error:
            print(f"Rollback refused: {error}", file=sys.stderr)
            return 1
        print(f"current: {done.from_release_id or 'none'} -> {done.to_release.release_id}")
    current = area.current_release_id()
    print(f"\nReleases in {area.releases_dir} (BI tools read {area.current_database}):")
    for release in reversed(area.releases()):
        mark = "*" if release.release_id == current else " "
        tables = release.manifest.get("tables", [])
        print(
            f" {mark} {release.release_id}  as of {release.as_of_date}  published "
            f"{release.published_at[:19]}  {len(tables)} tables, "
            f"{sum(t['rows'] for t in tables):,} rows"
        )
    return 0


def cmd_check_mapping(args: argparse.Namespace, settings: Settings) -> int:
    """Dry run of a mapping file: 0 when it reads the landing files cleanly, 1 on problems,
    2 when the mapping file itself is invalid. Never opens the warehouse."""
    from ka_pipeline.mapping import MappingError, load_mapping
    from ka_pipeline.mapping.check import check_mapping

    try:
        mapping = load_mapping(args.mapping or settings.mapping_file)
    except MappingError as error:
        print(f"Invalid mapping file: {error}", file=sys.stderr)
        return 2
    result = check_mapping(mapping, settings.landing_dir, rows=args.rows, files=args.files)
    print(result.render())
    outside = _outside_partitions(mapping, settings)
    if outside:
        print(f"\n{outside}")
    return 1 if result.problems or outside else 0


def _outside_partitions(mapping, settings: Settings) -> str | None:
    """Why `ka-pipeline run` would refuse the delivered days, or None."""
    from ka_pipeline.mapping.files import NoDeliveryError, delivered_days

    today = _today(settings)
    try:
        preflight.require_no_future_files(settings, mapping, today)
        days = delivered_days(mapping, settings.landing_dir, today - timedelta(days=1))
        preflight.require_days_in_partitions(settings, days[0], days[-1], today)
    except (NoDeliveryError, CliError) as error:
        return f"problem [partition_range]: {error}"
    return None


def cmd_spark_build(args: argparse.Namespace, settings: Settings) -> int:
    from ka_pipeline.spark.build import SparkBuildError, build_on_spark, spark_session

    try:
        build = build_on_spark(settings, with_tests=not args.skip_tests)
    except (SparkBuildError, FileNotFoundError, LookupError) as error:
        print(f"ka-pipeline spark-build: {error}", file=sys.stderr)
        return 1
    timings = ", ".join(f"{part} {seconds:.1f} s" for part, seconds in build.seconds.items())
    print(f"Built on Spark from {len(build.raw_tables)} raw tables: {timings}")
    if not args.compare:
        return 0
    from ka_pipeline.spark.parity import compare_engines, render, write_report

    results = compare_engines(settings.warehouse_path, spark_session())
    print(render(results))
    report = write_report(results, build, settings.spark_dir / "parity.json")
    print(f"Parity report: {report}")
    return 0 if all(r.equal for r in results) else 1


def cmd_dev(args: argparse.Namespace, settings: Settings) -> int:
    """The Dagster UI and daemon on this configuration's instance (the CLI runs' history)."""
    import os

    preflight.require_manifest()
    preflight.ensure_instance(settings)
    # `dg dev` finds the project from [tool.dg] in the repository's pyproject.toml
    os.chdir(REPO_ROOT)
    os.environ.setdefault("VIRTUAL_ENV", sys.prefix)
    dg = str(Path(sys.executable).parent / "dg")
    os.execv(dg, [dg, "dev", "-h", args.host, "-p", str(args.port)])
    return EXIT_OK  # not reached: the process is dg's now


def cmd_dbt(args: argparse.Namespace, settings: Settings) -> int:
    """dbt on this project with the settings' connection values (profiles.yml has none)."""
    from ka_pipeline.defs.dbt.project import run_dbt

    return run_dbt(settings, args.dbt_args).returncode
