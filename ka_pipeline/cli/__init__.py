"""`ka-pipeline`: generate sample data, run and backfill the pipeline from a terminal.

Every expected failure ends in one line `ka-pipeline: <message>` on stderr and a documented
exit code (`ka_pipeline/cli/errors.py`), never a traceback; `--verbose` shows Dagster's
full log and, for an internal error, the traceback.
"""

from __future__ import annotations

import argparse
import sys
import traceback
import warnings
from datetime import date
from importlib.metadata import version

from ka_pipeline.cli import commands
from ka_pipeline.cli.errors import EXIT_INTERNAL, EXIT_USAGE, CliError
from ka_pipeline.settings import ConfigError, Settings

# Dagster marks `backfill_policy` as beta; the terminal is no place to repeat that per asset
warnings.filterwarnings("ignore", message=r".*is currently in beta")


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date YYYY-MM-DD") from None


def _parameter_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--vars",
        metavar="YAML",
        help="metric parameters of this run, e.g. '{as_of_date: 2026-06-30, "
        "rfm_window_months: 6}' (names and defaults: vars of dbt_project/dbt_project.yml)",
    )
    parser.add_argument(
        "--set",
        metavar="KEY=VALUE",
        action="append",
        default=[],
        help="one metric parameter, e.g. --set rfm_window_months=6 (repeatable)",
    )
    parser.add_argument(
        "--no-report", action="store_true", help="skip the weekly report of the latest week"
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help="check the days, parameters, warehouse and manifest, then stop without building",
    )
    parser.add_argument(
        "--rotate-pii-salt",
        action="store_true",
        help="accept a PII salt other than the warehouse's: every contact_hash_key changes "
        "(the count is printed); without it a changed salt stops the run",
    )


VERBOSE_HELP = "Dagster's full log instead of one line per step; tracebacks of internal errors"


class _WithCommon:
    """Subparsers that all take the common options."""

    def __init__(self, subparsers, common: argparse.ArgumentParser) -> None:
        self._subparsers, self._common = subparsers, common

    def add_parser(self, name: str, **kwargs) -> argparse.ArgumentParser:
        return self._subparsers.add_parser(name, parents=[self._common], **kwargs)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ka-pipeline",
        description=__doc__.splitlines()[0],
        epilog="Exit codes: 0 done, 1 the run failed, 2 usage or configuration, "
        "3 environment not ready, 70 internal error.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {version('ka-pipeline')}")
    parser.add_argument("-v", "--verbose", action="store_true", help=VERBOSE_HELP)
    # `--verbose` is accepted after the command too (`ka-pipeline run --verbose`)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "-v", "--verbose", action="store_true", default=argparse.SUPPRESS, help=VERBOSE_HELP
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    sub = _WithCommon(sub, common)

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
    gen.set_defaults(func=commands.cmd_generate)

    run = sub.add_parser("run", help="extract and build the whole warehouse, then the report")
    run.add_argument("--start", type=_day, help="first day to extract (default: first delivered)")
    run.add_argument("--end", type=_day, help="last day to extract (default: last delivered)")
    run.add_argument(
        "--full-refresh",
        action="store_true",
        help="rebuild the incremental facts from scratch instead of replacing the run's days "
        "(always so without --start/--end)",
    )
    _parameter_options(run)
    run.set_defaults(func=commands.cmd_run)

    backfill = sub.add_parser(
        "backfill",
        help="re-extract the months of [--start, --end] and replace those days in the facts",
    )
    backfill.add_argument("--start", type=_day, required=True, help="first day")
    backfill.add_argument("--end", type=_day, required=True, help="last day")
    _parameter_options(backfill)
    backfill.set_defaults(func=commands.cmd_backfill)

    check = sub.add_parser(
        "check-mapping",
        help="dry run: read the first rows of each mapped file and list every problem",
    )
    check.add_argument("--mapping", help="mapping file (default: $KA_MAPPING_FILE or the default)")
    check.add_argument("--rows", type=int, default=20, help="rows read per file (default 20)")
    check.add_argument(
        "--files", type=int, default=7, help="newest files checked per entity (default 7, 0: all)"
    )
    check.set_defaults(func=commands.cmd_check_mapping)

    back = sub.add_parser(
        "rollback", help="switch the BI release BI tools read (serving/current) back"
    )
    back.add_argument(
        "--to", metavar="RELEASE_ID", help="release to make current (default: the one before)"
    )
    back.add_argument("--list", action="store_true", help="only list the releases kept")
    back.set_defaults(func=commands.cmd_rollback)

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
    spark.set_defaults(func=commands.cmd_spark_build)

    dev = sub.add_parser("dev", help="the Dagster UI on this configuration's instance")
    dev.add_argument("--host", default="127.0.0.1", help="address to listen on")
    dev.add_argument("--port", type=int, default=3000)
    dev.set_defaults(func=commands.cmd_dev)

    dbt = sub.add_parser(
        "dbt",
        help="run dbt on the project with this configuration's warehouse, e.g. "
        "`ka-pipeline dbt build --select mart_account_rfm`",
    )
    dbt.add_argument("dbt_args", nargs="*", help="arguments passed to dbt as they are")
    dbt.set_defaults(func=commands.cmd_dbt)
    return parser


def parse_arguments(argv: list[str]) -> argparse.Namespace:
    """Like parse_args, but everything after the `dbt` command goes to dbt verbatim
    (argparse would read dbt's own options, e.g. `--no-use-colors`, as ours)."""
    command_at = next((i for i, arg in enumerate(argv) if not arg.startswith("-")), None)
    if command_at is not None and argv[command_at] == "dbt":
        args = build_parser().parse_args(argv[: command_at + 1])
        args.dbt_args = argv[command_at + 1 :]
        return args
    return build_parser().parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_arguments(sys.argv[1:] if argv is None else argv)
    try:
        return args.func(args, Settings.from_env())
    except (ConfigError, CliError) as error:
        print(f"ka-pipeline: {error}", file=sys.stderr)
        return getattr(error, "exit_code", EXIT_USAGE)
    except KeyboardInterrupt:
        print("ka-pipeline: interrupted", file=sys.stderr)
        return 130
    except Exception as error:  # a bug: say so in one line, the traceback on request
        if args.verbose:
            traceback.print_exc()
        print(
            f"ka-pipeline: internal error: {type(error).__name__}: {error} "
            "(run again with --verbose for the traceback, and report it)",
            file=sys.stderr,
        )
        return EXIT_INTERNAL
