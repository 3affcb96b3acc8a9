"""`ka-pipeline`: generate sample data and run the pipeline from a terminal."""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from ka_pipeline.settings import ConfigError, Settings

# Dagster marks `backfill_policy` as beta; the terminal is no place to repeat that per asset
warnings.filterwarnings("ignore", message=r".*`backfill_policy`.*is currently in beta")


def _day(text: str) -> date:
    return date.fromisoformat(text)


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
    from ka_pipeline.mapping import load_mapping
    from ka_pipeline.mapping.files import delivered_days
    from ka_pipeline.runs.build import (
        full_refresh_config,
        run_full_build,
        warehouse_row_counts,
    )

    yesterday = _today(settings) - timedelta(days=1)
    days = delivered_days(load_mapping(settings.mapping_file), settings.landing_dir, yesterday)
    start, end = args.start or days[0], args.end or days[-1]
    print(f"Running the full build for {start} .. {end} (landing: {settings.landing_dir})")
    started = time.perf_counter()
    # every delivered day: a full refresh costs the same and picks up changed fact logic
    full_refresh = args.full_refresh or (args.start is None and args.end is None)
    summary = run_full_build(settings, start, end, full_refresh_config() if full_refresh else None)
    elapsed = time.perf_counter() - started
    status = "succeeded" if summary.success else "FAILED"
    print(f"\nRun {summary.run_id} {status} in {elapsed:.0f} s")
    if settings.warehouse_path.exists():
        counts = warehouse_row_counts(settings)
        width = max(len(name) for name in counts) if counts else 0
        print("\nRows per table:")
        for name, rows in counts.items():
            print(f"  {name:<{width}}  {rows:>10,}")
    report_ok = True
    if summary.success and not args.no_report:
        from ka_pipeline.runs.report import run_weekly_report

        report = run_weekly_report(settings)
        report_ok = report.success
        if report.success:
            print(
                f"\nWeekly report {report.week.label} (zh, en) in {report.seconds:.1f} s: "
                f"{report.folder}"
            )
        else:
            print(f"\nWeekly report {report.week.label} FAILED (run {report.run_id})")
    print(f"\nWarehouse: {settings.warehouse_path}")
    print(f"Outputs:   {settings.output_dir}")
    if (settings.serving_dir / "current").exists():
        print(f"BI serving: {settings.serving_dir / 'current' / 'serving.duckdb'}")
    print("Inspect it: make dev  (Dagster UI on http://127.0.0.1:3000)")
    return 0 if summary.success and report_ok else 1


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
    return 1 if result.problems else 0


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


def cmd_dbt(args: argparse.Namespace, settings: Settings) -> int:
    """dbt on this project with the settings' connection values (profiles.yml has none)."""
    from ka_pipeline.defs.dbt.project import run_dbt

    return run_dbt(settings, args.dbt_args).returncode


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ka-pipeline", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    gen = sub.add_parser("generate", help="write a deterministic sample to the landing area")
    gen.add_argument("--start", type=_day, help="first business day (default: 3 years back)")
    gen.add_argument("--end", type=_day, help="last business day (default: yesterday)")
    gen.add_argument("--seed", type=int, default=42)
    gen.add_argument(
        "--scale", type=float, default=1.0, help="1.0 ≈ 500 accounts and 50k order lines"
    )
    gen.add_argument("--defects", type=float, default=0.0, help="rate of injected defects")
    gen.add_argument(
        "--if-missing", action="store_true", help="do nothing if a sample is already there"
    )
    gen.set_defaults(func=cmd_generate)

    run = sub.add_parser("run", help="extract and build the whole warehouse once")
    run.add_argument("--start", type=_day, help="first day to extract (default: first delivered)")
    run.add_argument("--end", type=_day, help="last day to extract (default: last delivered)")
    run.add_argument(
        "--no-report", action="store_true", help="skip the weekly report of the latest week"
    )
    run.add_argument(
        "--full-refresh",
        action="store_true",
        help="rebuild the incremental facts from scratch instead of replacing the run's days "
        "(always so without --start/--end)",
    )
    run.set_defaults(func=cmd_run)

    check = sub.add_parser(
        "check-mapping",
        help="dry run: read the first rows of each mapped file and list every problem",
    )
    check.add_argument("--mapping", help="mapping file (default: $KA_MAPPING_FILE or the default)")
    check.add_argument("--rows", type=int, default=20, help="rows read per file (default 20)")
    check.add_argument(
        "--files", type=int, default=7, help="newest files checked per entity (default 7, 0: all)"
    )
    check.set_defaults(func=cmd_check_mapping)

    back = sub.add_parser(
        "rollback", help="switch the BI release BI tools read (serving/current) back"
    )
    back.add_argument(
        "--to", metavar="RELEASE_ID", help="release to make current (default: the one before)"
    )
    back.add_argument("--list", action="store_true", help="only list the releases kept")
    back.set_defaults(func=cmd_rollback)

    spark = sub.add_parser(
        "spark-build",
        help="build the same dbt project on Apache Spark from this warehouse's raw layer "
        "(needs `make spark-setup`)",
    )
    spark.add_argument(
        "--compare", action="store_true", help="then compare every BI-facing table with DuckDB"
    )
    spark.add_argument(
        "--skip-tests", action="store_true", help="seeds and models only, no dbt tests on Spark"
    )
    spark.set_defaults(func=cmd_spark_build)

    dbt = sub.add_parser(
        "dbt",
        help="run dbt on the project with this configuration's warehouse, e.g. "
        "`ka-pipeline dbt build --select mart_account_rfm --vars '{as_of_date: 2026-06-30}'`",
    )
    dbt.add_argument("dbt_args", nargs=argparse.REMAINDER, help="arguments passed to dbt")
    dbt.set_defaults(func=cmd_dbt)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = Settings.from_env()
    except ConfigError as error:
        print(f"ka-pipeline: {error}", file=sys.stderr)
        return 2
    return args.func(args, settings)


if __name__ == "__main__":
    sys.exit(main())
