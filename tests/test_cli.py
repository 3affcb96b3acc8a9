"""`ka-pipeline` as a user meets it: every expected failure is one clear line on stderr
with its documented exit code, never a traceback; a good run prints one line per step and
a summary. Each failure is driven for real, through a subprocess."""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest
from conftest import Workspace, make_workspace
from servers.processes import warehouse_holder

from ka_pipeline.cli import main
from ka_pipeline.cli.errors import EXIT_ENVIRONMENT, EXIT_INTERNAL, EXIT_USAGE
from ka_pipeline.landing.contract import ENTITIES_BY_KEY
from ka_pipeline.salt_fingerprint import record_salt

TINY = ["--scale", "0.05", "--seed", "3"]


def assert_one_clear_line(result: subprocess.CompletedProcess, code: int, *fragments: str):
    assert result.returncode == code, result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("ka-pipeline: "), result.stderr
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


@pytest.fixture(scope="module")
def tiny(tmp_path_factory) -> Workspace:
    """Two weeks of a tiny sample, never built: each test fails before the build."""
    ws = make_workspace(tmp_path_factory.mktemp("cli_tiny"))
    ws.cli("generate", "--start", "2024-03-01", "--end", "2024-03-14", *TINY)
    return ws


def test_version_and_help_work_outside_make(tmp_path):
    for args in (["--version"], ["run", "--help"], ["backfill", "--help"]):
        result = subprocess.run(
            [sys.executable, "-m", "ka_pipeline.cli", *args], capture_output=True, text=True
        )
        assert result.returncode == 0 and "Traceback" not in result.stderr
    assert re.fullmatch(r"ka-pipeline \d+\.\d+\.\d+\s*", _cli_output(["--version"]))


def _cli_output(args: list[str]) -> str:
    return subprocess.run(
        [sys.executable, "-m", "ka_pipeline.cli", *args], capture_output=True, text=True
    ).stdout


def test_an_invalid_setting(tiny):
    result = tiny.cli("run", check=False, env={"KA_DUCKDB_THREADS": "many"})
    assert_one_clear_line(result, EXIT_USAGE, "KA_DUCKDB_THREADS", "'many'")


def test_an_invalid_mapping_file(tiny, tmp_path):
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text("entities:\n  erp/orders: {path: [not, a, path]}\n", encoding="utf-8")
    result = tiny.cli("run", check=False, env={"KA_MAPPING_FILE": str(mapping)})
    assert_one_clear_line(result, EXIT_USAGE, "invalid mapping file", str(mapping))


def test_no_delivered_files(tmp_path):
    ws = make_workspace(tmp_path)
    assert_one_clear_line(ws.cli("run", check=False), EXIT_USAGE, "no files match")


@pytest.mark.parametrize(
    ("args", "fragments"),
    [
        (["--vars", "[1, 2]"], ["--vars", "expected a mapping"]),
        (["--vars", "{a: [1"], ["--vars", "not valid YAML"]),
        (["--set", "rfm_window_months"], ["expected key=value"]),
        (["--set", "no_such_parameter=1"], ["unknown parameter(s) no_such_parameter"]),
        (["--set", "min_date=2024-01-01"], ["use --start / --end"]),
        (
            ["--set", "rfm_window_months=twelve"],
            ["bad parameter", "rfm_window_months", "a whole number of months"],
        ),
        (["--vars", "{as_of_date: 2024-02-31}"], ["as_of_date", "day is out of range"]),
        (["--set", "as_of_date=June"], ["bad parameter", "as_of_date", "YYYY-MM-DD"]),
        (
            ["--set", "plausible_max_quantity=0"],
            ["bad parameter", "plausible_max_quantity", "a positive number"],
        ),
        # months the models would cut with `| int` to 0 or 2, and descending cut-offs: one
        # run-operation reports every broken parameter, so one case covers each bad form
        (
            [
                "--vars",
                "{rfm_window_months: 2.5, lifecycle_months: [], lifecycle_new_max_age_months: {},"
                " analytics_forecast_horizon_months: .nan, analytics_backtest_months: 0,"
                " analytics_clv_months: -1, risk_backtest_snapshots: [6],"
                " rfm_score_cutoffs: [0.8, 0.6, 0.4, 0.2]}",
            ],
            [
                "bad parameter",
                *(
                    f"{name}={shown} (must be a whole number of months >= 1)"
                    for name, shown in [
                        ("rfm_window_months", "2.5"),
                        ("lifecycle_months", "[]"),
                        ("lifecycle_new_max_age_months", "{}"),
                        ("analytics_forecast_horizon_months", "NaN"),
                        ("analytics_backtest_months", "0"),
                        ("analytics_clv_months", "-1"),
                    ]
                ),
                "risk_backtest_snapshots=[6] (must be a whole number >= 1)",
                "rfm_score_cutoffs=[0.8, 0.6, 0.4, 0.2]",
                "4 ascending numbers",
            ],
        ),
    ],
)
def test_a_bad_parameter_stops_before_anything_is_extracted(tiny, args, fragments):
    result = tiny.cli("run", *args, check=False)
    assert_one_clear_line(result, EXIT_USAGE, *fragments)
    assert not tiny.settings.warehouse_path.exists()


def test_data_before_the_first_partition(tiny):
    result = tiny.cli("run", check=False, env={"KA_PARTITIONS_START": "2024-03-05"})
    assert_one_clear_line(
        result,
        EXIT_USAGE,
        "2024-03-01",
        "KA_PARTITIONS_START=2024-03-05",
        "2024-03-01 (or earlier)",
    )
    check = tiny.cli("check-mapping", check=False, env={"KA_PARTITIONS_START": "2024-03-05"})
    assert check.returncode == 1 and "[partition_range]" in check.stdout


def test_a_file_dated_in_the_future(tiny, tmp_path):
    ws = make_workspace(tmp_path / "future")
    future = date.today() + timedelta(days=400)
    orders = ENTITIES_BY_KEY["erp/orders"]
    for path in tiny.settings.landing_dir.rglob("*"):
        target = ws.settings.landing_dir / path.relative_to(tiny.settings.landing_dir)
        if path.is_file():
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(path.read_bytes())
    stray = orders.path_for(ws.settings.landing_dir, future)
    stray.write_bytes(orders.path_for(ws.settings.landing_dir, date(2024, 3, 1)).read_bytes())
    assert_one_clear_line(ws.cli("run", check=False), EXIT_USAGE, str(future), "in the future")


def test_backfill_dates_are_checked(tiny):
    result = tiny.cli("backfill", "--start", "2024-03-10", "--end", "2024-03-02", check=False)
    assert_one_clear_line(result, EXIT_USAGE, "--start 2024-03-10 is after --end 2024-03-02")
    usage = tiny.cli("backfill", "--start", "2024-03-40", "--end", "2024-03-02", check=False)
    assert usage.returncode == EXIT_USAGE and "not a date YYYY-MM-DD" in usage.stderr
    assert "Traceback" not in usage.stderr


@pytest.mark.parametrize("read_only", [False, True])
def test_a_warehouse_held_by_another_process(tiny, read_only):
    """Checked once, before extraction, and named: also a client holding it read-only (the
    steps would otherwise each fail on the lock). With a wait set, the run waits that long."""
    warehouse = tiny.settings.warehouse_path
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    duckdb.connect(str(warehouse)).close()
    try:
        with warehouse_holder(warehouse, read_only) as holder:
            result = tiny.cli("run", check=False)
            waited = tiny.cli("run", check=False, env={"KA_WAREHOUSE_WAIT_SECONDS": "2"})
    finally:
        warehouse.unlink()
    assert_one_clear_line(result, EXIT_ENVIRONMENT, str(warehouse), f"process {holder.pid}")
    assert_one_clear_line(waited, EXIT_ENVIRONMENT, f"process {holder.pid}", "(waited 2 s)")


def test_a_missing_dbt_manifest(tiny, monkeypatch, capsys):
    import ka_pipeline.cli.preflight as preflight

    monkeypatch.setattr(preflight, "MANIFEST_PATH", Path(tiny.root) / "no" / "manifest.json")
    for name, value in tiny.env.items():
        monkeypatch.setenv(name, value)
    assert main(["run", "--no-report"]) == EXIT_ENVIRONMENT
    err = capsys.readouterr().err
    assert err.startswith("ka-pipeline: the dbt manifest") and "make setup" in err


def test_an_internal_error_is_one_line_unless_verbose(tiny, monkeypatch, capsys):
    import ka_pipeline.cli.commands as commands

    def broken(*args, **kwargs):
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr(commands, "cmd_check_mapping", broken)
    for name, value in tiny.env.items():
        monkeypatch.setenv(name, value)
    from ka_pipeline.cli import build_parser

    monkeypatch.setattr(
        "ka_pipeline.cli.build_parser",
        lambda: _with_func(build_parser(), "check-mapping", broken),
    )
    assert main(["check-mapping"]) == EXIT_INTERNAL
    err = capsys.readouterr().err
    assert "internal error: ZeroDivisionError: a bug" in err and "Traceback" not in err
    assert main(["check-mapping", "--verbose"]) == EXIT_INTERNAL
    assert "Traceback" in capsys.readouterr().err


def _with_func(parser, command: str, func):
    parser._subparsers._group_actions[0].choices[command].set_defaults(func=func)
    return parser


@pytest.mark.slow
def test_a_run_prints_one_line_per_step_and_a_summary(clean_build):
    output = (clean_build.root / "run_output.txt").read_text(encoding="utf-8")
    assert len(output.splitlines()) < 80  # not Dagster's ~1,300 log lines
    for stage in ("extract", "checks", "dbt", "publish"):
        assert re.search(rf"^\s+\d+s ✓ {stage} ", output, re.MULTILINE), stage
    assert re.search(r"✓ extract\s+raw__erp__orders\s+[\d,]+ rows", output)
    assert "Rows per layer:" in output and "quarantined" in output
    assert re.search(r"Checks: \d+ evaluated, 0 failed", output)
    assert "Weekly report" in output and "BI serving:" in output
    assert "Delivery: sent to none (no channel configured)" in output
    assert str(clean_build.settings.dagster_home) in output


def test_a_too_short_salt_stops_the_run_before_extraction(tiny):
    result = tiny.cli("run", env={"KA_PII_SALT": "short"}, check=False)
    assert_one_clear_line(result, EXIT_USAGE, "KA_PII_SALT is too short (5 characters)")
    assert not tiny.settings.warehouse_path.exists()


def test_a_changed_salt_stops_the_run_unless_the_rotation_is_explicit(tiny):
    warehouse = tiny.settings.warehouse_path
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    try:
        with duckdb.connect(str(warehouse)) as conn:
            record_salt(conn, "a" * 32, None)
        same = tiny.cli("run", "--check", env={"KA_PII_SALT": "a" * 32}, check=False)
        assert same.returncode == 0, same.stderr
        # unset: the generated salt file differs from the warehouse's salt too
        for env in ({"KA_PII_SALT": "b" * 32}, {}):
            changed = tiny.cli("run", "--check", env=env, check=False)
            assert_one_clear_line(changed, EXIT_USAGE, "[pii_salt_changed]", "--rotate-pii-salt")
            assert "a" * 32 not in changed.stderr and "b" * 32 not in changed.stderr
        rotate = tiny.cli(
            "run", "--check", "--rotate-pii-salt", env={"KA_PII_SALT": "b" * 32}, check=False
        )
        assert rotate.returncode == 0 and "Ready to build" in rotate.stdout, rotate.stderr
    finally:
        warehouse.unlink(missing_ok=True)
