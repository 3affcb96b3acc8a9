"""Orchestration: definitions validate, incremental nightly = full rebuild, one-run backfills.

One small sample (two months, scale 0.2, with defects) serves every test here:
- `incremental`: built through the day before the first of NIGHTS with dbt directly, then
  one nightly run per night, each after that night's files arrived with a defect: an order
  of May delivered again on a June day (a key that moved between days, its older copy
  outside the window), a corrected re-send of an older day of the month, and a late order
  line for an order of the previous month. The nights before the last run dbt as the
  nightly's dbt step does (same vars, scoped tests included); the last is the real nightly
  run (Dagster, partition = LAST_DAY's month, tag ka/business_day = LAST_DAY);
- `backfill`: the same landing files built from scratch by one Dagster run over a 30-day
  partition range (the full-rebuild reference).
Both Dagster runs materialize the extraction and dbt assets without their asset checks
(ephemeral instance): the checks' ~600 events cost minutes of bookkeeping, and the dbt
tests and GX suites are covered by the session builds; reconciliation is asserted here.
"""

from __future__ import annotations

import csv
import json
import re
import shutil
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import pytest
from conftest import Workspace, load_all, make_workspace
from dagster import (
    AssetKey,
    AssetSelection,
    DagsterInstance,
    Definitions,
    build_schedule_context,
    define_asset_job,
)

from ka_pipeline.defs.automation.schedules import build_nightly_schedule
from ka_pipeline.defs.dbt.assets import (
    RUN_ENV,
    DbtBuildConfig,
    dbt_build_args,
    dbt_run_env,
    dbt_run_vars,
    dbt_warehouse,
)
from ka_pipeline.defs.dbt.window import DbtWindow, window_from_tags
from ka_pipeline.defs.jobs import full_check_job
from ka_pipeline.defs.partitions import month_key
from ka_pipeline.defs.tags import PARTITION_RANGE_END_TAG as RANGE_END
from ka_pipeline.defs.tags import PARTITION_RANGE_START_TAG as RANGE_START
from ka_pipeline.landing.contract import ENTITIES, ENTITIES_BY_KEY
from ka_pipeline.settings import DBT_PROJECT_DIR

FIRST_DAY, LAST_DAY = date(2024, 5, 1), date(2024, 6, 30)
CORRECTED_DAY = date(2024, 6, 20)  # re-sent on the second night, inside the window
LATE_ORDER_DAY = date(2024, 5, 6)  # a line for one of its orders arrives on LAST_DAY
# the first order of MOVED_FROM_DAY is delivered again, re-dated, in MOVED_TO_DAY's file
MOVED_FROM_DAY, MOVED_TO_DAY = date(2024, 5, 10), date(2024, 6, 28)
NIGHTS = [MOVED_TO_DAY, date(2024, 6, 29), LAST_DAY]  # the last one through Dagster
# run metadata, not data: differs between any two builds
# (loaded_at / last_loaded_at: when the extraction loaded a file, copied by the quality
# models; contact_hash_key: salted with each workspace's own PII salt)
RUN_METADATA_COLUMNS = {
    "dbt_invocation_id", "run_started_at", "loaded_at", "last_loaded_at", "contact_hash_key",
}  # fmt: skip
# keeps every build's as-of date by design: compared on the newest as-of date only
AS_OF_HISTORY_TABLES = {"mart_report_account_state_history"}


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> Path:
    """The generated landing area (the sources' full history)."""
    ws = make_workspace(tmp_path_factory.mktemp("orchestration_sample"))
    ws.cli(
        "generate", "--start", FIRST_DAY.isoformat(), "--end", LAST_DAY.isoformat(),
        "--scale", "0.2", "--seed", "11", "--defects", "0.03",
    )  # fmt: skip
    return ws.settings.landing_dir


def copy_landing(sample: Path, ws: Workspace, until: date) -> None:
    """The sample's files of days up to `until` (and the undated snapshots) into `ws`."""
    for path in sample.rglob("*.*"):
        day = re.search(r"_(\d{4}-\d{2}-\d{2})\.", path.name)
        if path.name.startswith("_") or (day and date.fromisoformat(day.group(1)) > until):
            continue
        target = ws.settings.landing_dir / path.relative_to(sample)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target)


def read_csv(path: Path) -> tuple[list[str], list[list[str]]]:
    with path.open(encoding="utf-8", newline="") as handle:
        header, *rows = csv.reader(handle)
    return header, rows


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows([header, *rows])


def move_an_order(landing: Path) -> None:
    """The first order of MOVED_FROM_DAY delivered again in MOVED_TO_DAY's file, dated that
    day: the later copy wins, the May copy becomes a duplicate, the order moves to June."""
    orders = ENTITIES_BY_KEY["erp/orders"]
    header, rows = read_csv(orders.path_for(landing, MOVED_FROM_DAY))
    moved = dict(zip(header, rows[0], strict=True), order_date=MOVED_TO_DAY.isoformat())
    target = orders.path_for(landing, MOVED_TO_DAY)
    target_header, target_rows = read_csv(target)
    write_csv(target, target_header, [*target_rows, [moved[c] for c in target_header]])


def resend_corrected_day(landing: Path) -> None:
    """A corrected re-send of CORRECTED_DAY's order lines: the first line's quantity x 3."""
    path = ENTITIES_BY_KEY["erp/order_lines"].path_for(landing, CORRECTED_DAY)
    header, (first, *rest) = read_csv(path)
    quantity = header.index("quantity")
    first[quantity] = str(int(float(first[quantity])) * 3)
    write_csv(path, header, [first, *rest])


def deliver_late_line(landing: Path) -> None:
    """A late line, delivered on LAST_DAY, for the first order of LATE_ORDER_DAY."""
    lines = ENTITIES_BY_KEY["erp/order_lines"]
    header, rows = read_csv(lines.path_for(landing, CORRECTED_DAY))
    late_order = read_csv(ENTITIES_BY_KEY["erp/orders"].path_for(landing, LATE_ORDER_DAY))[1][0][0]
    late = dict(zip(header, rows[0], strict=True), order_id=late_order, line_no="97", quantity="2")
    newest = lines.path_for(landing, LAST_DAY)
    newest_header, newest_rows = read_csv(newest)
    write_csv(newest, newest_header, [*newest_rows, [late[c] for c in newest_header]])


DEFECTS = {NIGHTS[0]: move_an_order, NIGHTS[1]: resend_corrected_day, NIGHTS[2]: deliver_late_line}


def deliver(sample: Path, ws: Workspace, until: date) -> None:
    """The landing area as it stands on the night of `until`: the sample's files through
    that day, with the defects of that night and the nights before."""
    copy_landing(sample, ws, until)
    for night, defect in DEFECTS.items():
        if night <= until:
            defect(ws.settings.landing_dir)


MODELS_ONLY_JOB = "extract_and_dbt_without_checks"


def pipeline_definitions(ws: Workspace) -> Definitions:
    """The code location bound to `ws` (no environment needed), plus a job of the
    `full_build` job's extraction and dbt assets without asset checks (dbt then runs models
    and seeds, no tests)."""
    from ka_pipeline.defs.definitions import build_definitions

    selection = AssetSelection.groups("extract") | AssetSelection.assets(dbt_warehouse)
    return Definitions.merge(
        build_definitions(ws.settings),
        Definitions(jobs=[define_asset_job(MODELS_ONLY_JOB, selection.without_checks())]),
    )


def materialize(defs: Definitions, **kwargs):
    """One run of MODELS_ONLY_JOB on an ephemeral instance: (started steps, materialized
    (asset, partition) pairs, log messages)."""
    job = defs.resolve_job_def(MODELS_ONLY_JOB)
    with DagsterInstance.ephemeral() as instance:
        result = job.execute_in_process(instance=instance, raise_on_error=False, **kwargs)
        assert result.success, [e.message for e in result.all_events if e.is_step_failure]
        started = [e.step_key for e in result.all_events if e.event_type_value == "STEP_START"]
        materialized = {
            (e.asset_key, e.partition) for e in result.get_asset_materialization_events()
        }
        logs = [entry.user_message for entry in instance.all_logs(result.run_id)]
    return started, materialized, logs


def table_checksums(ws: Workspace) -> dict[str, tuple[int, int]]:
    """Row count and an order-independent checksum of every base_* (staging), fct_*, int_*,
    mart_* and dq_* table
    (floating-point values rounded: a parallel sum may differ in the last bit)."""
    sums = {}
    with duckdb.connect(str(ws.settings.warehouse_path), read_only=True) as conn:
        tables = conn.execute(
            "select table_schema, table_name from information_schema.tables "
            "where table_type = 'BASE TABLE' "
            "and regexp_matches(table_name, '^(base|fct|int|mart|dq)_') order by 1, 2"
        ).fetchall()
        for schema, table in tables:
            columns = [
                f'round("{name}", 6)' if data_type in ("DOUBLE", "FLOAT") else f'"{name}"'
                for name, data_type in conn.execute(
                    "select column_name, data_type from information_schema.columns "
                    "where table_schema = ? and table_name = ? order by ordinal_position",
                    [schema, table],
                ).fetchall()
                if name not in RUN_METADATA_COLUMNS
            ]
            newest = (
                f'where as_of_date = (select max(as_of_date) from "{schema}"."{table}")'
                if table in AS_OF_HISTORY_TABLES
                else ""
            )
            sums[f"{schema}.{table}"] = conn.execute(
                f"select count(*), coalesce(sum(hash({', '.join(columns)})::hugeint), 0) "
                f'from "{schema}"."{table}" {newest}'
            ).fetchone()
    return sums


def warm_start_parse(ws: Workspace) -> None:
    """Let dbt re-use the project's parse state, as dagster-dbt does (saves a full parse)."""
    state = DBT_PROJECT_DIR / "target" / "partial_parse.msgpack"
    if state.exists():
        (ws.root / "dbt_target").mkdir(exist_ok=True)
        shutil.copy(state, ws.root / "dbt_target" / state.name)


@pytest.fixture(scope="module")
def incremental(sample, tmp_path_factory) -> Workspace:
    """The incremental models built through the day before NIGHTS[0] by dbt, then the nights
    before the last as the nightly's dbt step runs them; LAST_DAY's files then land."""
    ws = make_workspace(tmp_path_factory.mktemp("orchestration_incremental"))
    first_night = NIGHTS[0]
    deliver(sample, ws, first_night - timedelta(days=1))
    load_all(ws.settings, FIRST_DAY, first_night - timedelta(days=1))
    warm_start_parse(ws)
    # only what the nights do not rebuild anyway: the incremental models (+ upstream)
    ws.dbt(
        "build", "--select", "+config.materialized:incremental",
        "--exclude-resource-type", "test", "--exclude-resource-type", "unit_test",
    )  # fmt: skip
    for night in NIGHTS[:-1]:
        deliver(sample, ws, night)
        load_all(ws.settings, night.replace(day=1), night)  # month to date, as extraction
        window = DbtWindow(night.replace(day=1), night, night)
        # the models every night; the scoped tests on the second night (they must pass)
        ws.dbt(
            *dbt_build_args(DbtBuildConfig()),
            *([] if night == NIGHTS[1] else ["--exclude-resource-type", "test"]),
            env=dbt_run_env(DbtBuildConfig(), window),
        )
    deliver(sample, ws, LAST_DAY)
    return ws


@dataclass(frozen=True)
class Run:
    ws: Workspace
    started_steps: list[str]
    materialized: set[tuple[AssetKey, str | None]]
    logs: list[str]


@pytest.fixture(scope="module")
def backfill(sample, tmp_path_factory) -> Run:
    """The full-rebuild reference: an empty warehouse, then one run over the partition
    range of a 30-day backfill (2024-05-20 .. 06-18: the months May and June)."""
    ws = make_workspace(tmp_path_factory.mktemp("orchestration_backfill"))
    deliver(sample, ws, LAST_DAY)
    tags = {RANGE_START: month_key(date(2024, 5, 20)), RANGE_END: month_key(date(2024, 6, 18))}
    return Run(ws, *materialize(pipeline_definitions(ws), tags=tags))


@pytest.fixture(scope="module")
def nightly(incremental) -> Run:
    """The nightly run the schedule requests for LAST_DAY, on the warehouse built through
    the day before."""
    nightly_build = build_nightly_schedule("Asia/Shanghai")
    request = nightly_build(_schedule_context(LAST_DAY + timedelta(days=1)))
    defs = pipeline_definitions(incremental)
    return Run(
        incremental,
        *materialize(defs, partition_key=request.partition_key, tags=request.tags),
    )


def test_definitions_validate(tmp_path):
    defs = pipeline_definitions(make_workspace(tmp_path))
    Definitions.validate_loadable(defs)
    assert {s.name for s in defs.schedules} >= {"nightly_build", "weekly_full_check"}
    assert defs.resolve_job_def("full_build")
    # the weekly full check: the dbt step and all its checks, no partition (no window)
    assert defs.resolve_job_def("full_check").partitions_def is None
    graph = defs.resolve_asset_graph()
    assert full_check_job.selection.resolve(graph) == set(dbt_warehouse.keys)
    assert full_check_job.selection.resolve_checks(graph) >= dbt_warehouse.check_keys


def test_a_30_day_backfill_is_one_run_with_one_dbt_step(backfill):
    assert backfill.started_steps.count("dbt_warehouse") == 1
    for entity in ENTITIES:
        key = AssetKey(["raw", entity.system, entity.name])
        expected = {"2024-05-01", "2024-06-01"} if entity.daily else {None}
        assert {p for k, p in backfill.materialized if k == key} == expected, entity.key
    assert "incremental window 2024-05-01 .. 2024-06-30, check_scope window" in backfill.logs


def test_nightly_incremental_run_equals_a_full_rebuild(incremental, nightly, backfill):
    assert nightly.started_steps.count("dbt_warehouse") == 1
    assert {p for _, p in nightly.materialized if p} == {"2024-06-01"}  # only June reloaded
    assert "incremental window 2024-06-01 .. 2024-06-30, check_scope window" in nightly.logs
    # the window reached dbt (as KA_RUN_* environment variables): the fact replaced its days
    runs = nightly.ws.settings.dbt_runs_dir
    (fact_sql,) = [path.read_text() for path in runs.glob("*/run/**/fct_order_lines.sql")]
    assert "cast('2024-06-30' as date)" in fact_sql
    # staging typed only the window's rows and the older copies of their keys (select_source)
    (base_sql,) = [path.read_text() for path in runs.glob("*/compiled/**/base_erp__orders.sql")]
    assert "as batch_rows" in base_sql
    # the risk snapshot features computed only the snapshots whose fingerprint changed
    (risk_sql,) = [
        path.read_text()
        for path in runs.glob("*/compiled/**/int_account_risk_snapshot_features.sql")
    ]
    assert "built.build_fingerprint" in risk_sql

    incremental_sums, full_sums = table_checksums(nightly.ws), table_checksums(backfill.ws)
    assert len(full_sums) >= 20
    assert incremental_sums == full_sums
    for ws in (nightly.ws, backfill.ws):
        assert ws.query(
            "select count(*) from quality.dq_file_reconciliation where not is_reconciled"
        ) == [(0,)]


def test_the_nights_applied_the_moved_key_the_resend_and_the_late_row(incremental, nightly):
    resent = ENTITIES_BY_KEY["erp/order_lines"].path_for(
        incremental.settings.landing_dir, CORRECTED_DAY
    )
    header, first = resent.read_text(encoding="utf-8").splitlines()[:2]
    line = dict(zip(header.split(","), first.split(","), strict=True))
    assert incremental.query(
        "select quantity from core.fct_order_lines where order_id = ? and line_no = ?",
        [line["order_id"], int(line["line_no"])],
    ) == [(float(line["quantity"]),)]
    late = incremental.query(
        "select count(*) from core.fct_order_lines where line_no = 97 and order_date = ?",
        [LATE_ORDER_DAY],
    )
    assert late == [(1,)]
    landing = incremental.settings.landing_dir
    moved = read_csv(ENTITIES_BY_KEY["erp/orders"].path_for(landing, MOVED_FROM_DAY))[1][0][0]
    assert incremental.query(
        "select order_date from core.fct_orders where order_id = ?", [moved]
    ) == [(MOVED_TO_DAY,)]
    assert incremental.query(
        "select _partition_date, row_status from staging.base_erp__orders "
        "where order_id = ? order by 1",
        [moved],
    ) == [(MOVED_FROM_DAY, "duplicate"), (MOVED_TO_DAY, "staged")]


def _schedule_context(day: date):
    at = datetime(day.year, day.month, day.day, 2, tzinfo=ZoneInfo("Asia/Shanghai"))
    return build_schedule_context(scheduled_execution_time=at)


@pytest.mark.parametrize(
    ("tags", "window"),
    [
        # nightly: yesterday's month, up to yesterday
        (
            {"dagster/partition": "2026-03-01", "ka/business_day": "2026-03-09"},
            DbtWindow(date(2026, 3, 1), date(2026, 3, 9), business_day=date(2026, 3, 9)),
        ),
        # backfill of a range of months: first to last day, capped at yesterday
        (
            {
                RANGE_START: "2025-11-01",
                RANGE_END: "2026-02-01",
            },
            DbtWindow(date(2025, 11, 1), date(2026, 2, 28)),
        ),
        (
            {
                RANGE_START: "2026-03-01",
                RANGE_END: "2026-04-01",
            },
            DbtWindow(date(2026, 3, 1), date(2026, 3, 14)),
        ),
        ({}, None),  # no partition: build everything
    ],
)
def test_window_from_run_tags(tags, window):
    assert window_from_tags(tags, yesterday=date(2026, 3, 14)) == window


@pytest.mark.parametrize(
    ("night", "partition", "window"),
    [
        (
            date(2026, 3, 10),
            "2026-03-01",
            DbtWindow(date(2026, 3, 1), date(2026, 3, 9), date(2026, 3, 9)),
        ),
        # the first night of a month finishes the previous month
        (
            date(2026, 3, 1),
            "2026-02-01",
            DbtWindow(date(2026, 2, 1), date(2026, 2, 28), date(2026, 2, 28)),
        ),
    ],
)
def test_nightly_request_gives_the_month_to_date_window(night, partition, window):
    request = build_nightly_schedule("Asia/Shanghai")(_schedule_context(night))
    assert request.partition_key == partition
    # a run launched from the request carries its partition as the dagster/partition tag
    tags = {**request.tags, "dagster/partition": request.partition_key}
    assert window_from_tags(tags, yesterday=night) == window


def test_the_window_travels_as_environment_variables_and_the_users_vars_as_vars():
    june = DbtWindow(date(2024, 6, 1), date(2024, 6, 30))
    no_unit_tests = ["--exclude-resource-type", "unit_test"]
    assert dbt_build_args(DbtBuildConfig()) == ["build", *no_unit_tests]
    assert dbt_run_env(DbtBuildConfig(), june) == {
        "KA_RUN_CHECK_SCOPE": "window", "KA_RUN_MAX_DATE": "2024-06-30",
        "KA_RUN_MIN_DATE": "2024-06-01", "KA_RUN_BATCH_FIRST_DAY": "",
    }  # fmt: skip
    # what the user sets goes to --vars, and the environment no longer carries it
    user = DbtBuildConfig(dbt_vars={"min_date": "2024-06-15", "rfm_window_months": 6})
    assert json.loads(dbt_build_args(user)[2]) == {"min_date": "2024-06-15", "rfm_window_months": 6}
    assert dbt_run_env(user, june) == {
        "KA_RUN_CHECK_SCOPE": "window", "KA_RUN_MAX_DATE": "2024-06-30",
        "KA_RUN_MIN_DATE": "", "KA_RUN_BATCH_FIRST_DAY": "",
    }  # fmt: skip
    assert dbt_run_vars(user, june)["min_date"] == "2024-06-15"
    # the user may ask a windowed run to test whole tables
    full = DbtBuildConfig(dbt_vars={"check_scope": "full"})
    assert dbt_run_env(full, june)["KA_RUN_CHECK_SCOPE"] == ""
    assert json.loads(dbt_build_args(full)[2])["check_scope"] == "full"
    assert dbt_build_args(DbtBuildConfig(full_refresh=True)) == [
        "build", "--full-refresh", *no_unit_tests,
    ]  # fmt: skip
    # no window: every name is set empty, so a KA_RUN_* left in the shell is not read
    no_window = dict.fromkeys(RUN_ENV.values(), "")
    assert dbt_run_env(DbtBuildConfig(full_refresh=True), june) == no_window
    assert dbt_run_env(DbtBuildConfig(), None) == no_window
    # a nightly run: the delivered_* tests judge its business day alone
    night = DbtWindow(date(2024, 6, 1), date(2024, 6, 9), business_day=date(2024, 6, 9))
    assert dbt_run_env(DbtBuildConfig(), night)["KA_RUN_BATCH_FIRST_DAY"] == "2024-06-09"
    assert dbt_build_args(DbtBuildConfig(unit_tests=True)) == ["build"]
