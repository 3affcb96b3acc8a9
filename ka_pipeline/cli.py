"""`ka-pipeline`: generate sample data and run the pipeline from a terminal."""

from __future__ import annotations

import argparse
import sys
import time
from datetime import date, datetime
from zoneinfo import ZoneInfo

from ka_pipeline.settings import Settings


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
    from ka_pipeline.run import delivered_days, run_full_build, warehouse_row_counts

    days = delivered_days(settings.landing_dir)
    start, end = args.start or days[0], args.end or days[-1]
    print(f"Running the full build for {start} .. {end} (landing: {settings.landing_dir})")
    started = time.perf_counter()
    summary = run_full_build(settings, start, end)
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
        from ka_pipeline.defs.reports.run import run_weekly_report

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
    print("Inspect it: make dev  (Dagster UI on http://127.0.0.1:3000)")
    return 0 if summary.success and report_ok else 1


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
    run.set_defaults(func=cmd_run)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args, Settings.from_env())


if __name__ == "__main__":
    sys.exit(main())
