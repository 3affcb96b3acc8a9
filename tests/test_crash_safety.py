"""Crash safety and idempotency of the nightly run, through the real `ka-pipeline run`.

A private copy of the session's clean build (landing, warehouse, release, Dagster
instance) is the starting point; then the run of its last month is SIGKILLed (the whole
process group, dbt included) during extraction, in the middle of dbt and in the middle of
the BI publish. After every kill the published release is still the last good one and
intact. The marts are compared byte for byte with the first build's twice: after the run
killed during the publish (its dbt build had finished) and after a clean rerun, so the
partition's marts were built three times with identical contents.
"""

from __future__ import annotations

import hashlib
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable

import duckdb
import pytest
from conftest import SAMPLE_END, Workspace, copy_build

from ka_pipeline.serving.area import ServingArea
from ka_pipeline.serving.verify import assert_release_intact

# run metadata that differs by design between two runs of the same data
RUN_METADATA = {"mart_run_parameters": ["dbt_invocation_id", "run_started_at"]}
KILL_TIMEOUT_S = 600


@pytest.fixture(scope="module")
def built(clean_build, tmp_path_factory) -> tuple[Workspace, dict[str, str]]:
    ws = Workspace(tmp_path_factory.mktemp("crash"))
    copy_build(clean_build, ws.root)
    return ws, mart_checksums(ws)


def mart_checksums(ws: Workspace) -> dict[str, str]:
    """sha256 of every mart exported as CSV in a total order (run metadata left out)."""
    sums = {}
    export = ws.root / "export.csv"
    with duckdb.connect(str(ws.settings.warehouse_path), read_only=True) as conn:
        tables = [r[0] for r in conn.execute(
            "select table_name from information_schema.tables where table_schema = 'marts' "
            "and table_catalog = current_database() order by 1"
        ).fetchall()]  # fmt: skip
        for table in tables:
            excluded = RUN_METADATA.get(table)
            columns = f"* exclude ({', '.join(excluded)})" if excluded else "*"
            conn.execute(
                f"copy (select {columns} from marts.{table} order by all) to '{export}' (header)"
            )
            sums[table] = hashlib.sha256(export.read_bytes()).hexdigest()
    assert len(sums) >= 13
    return sums


def serving(ws: Workspace) -> ServingArea:
    return ServingArea(ws.settings.serving_dir)


def assert_current_release_intact(ws: Workspace) -> str:
    area = serving(ws)
    release_id = area.current_release_id()
    assert release_id is not None
    info = area.release(release_id)
    assert_release_intact(info.path, info.manifest)
    return release_id


def run_last_month(ws: Workspace, kill_when: Callable[[str], bool] | None = None) -> str:
    """`ka-pipeline run` of the sample's last month; SIGKILLed once `kill_when` says so.

    `kill_when` sees every output line, and an empty string every 10 ms in between (to
    watch files). Returns the output; fails if a kill never triggered.
    """
    process = subprocess.Popen(
        [sys.executable, "-m", "ka_pipeline.cli", "run", "--verbose", "--no-report",
         "--start", str(SAMPLE_END.replace(day=1)), "--end", str(SAMPLE_END)],
        env=ws.env, cwd=ws.root, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True, start_new_session=True,  # its own group: the kill takes dbt along
    )  # fmt: skip
    lines: queue.Queue[str | None] = queue.Queue()
    reader = threading.Thread(
        target=lambda: [lines.put(line) for line in process.stdout] + [lines.put(None)],
        daemon=True,
    )
    reader.start()
    output, killed, deadline = [], False, time.monotonic() + KILL_TIMEOUT_S
    while time.monotonic() < deadline:
        try:
            line = lines.get(timeout=0.01)
        except queue.Empty:
            line = ""
        if line is None:
            break
        output.append(line)
        if kill_when is not None and kill_when(line):
            os.killpg(process.pid, signal.SIGKILL)
            killed = True
            break
    process.wait(timeout=60)
    reader.join(timeout=10)
    text = "".join(output)
    if kill_when is not None:
        assert killed, f"the kill point was never reached:\n{text[-3000:]}"
    else:
        assert process.returncode == 0, f"rerun failed:\n{text[-6000:]}"
    return text


def test_killed_runs_leave_the_release_intact_and_reruns_are_identical(built):
    ws, first_build = built
    good = assert_current_release_intact(ws)

    # 1. during extraction: after the first entity of the month is loaded
    run_last_month(ws, lambda line: "raw__" in line and ": loaded " in line)
    assert assert_current_release_intact(ws) == good

    # 2. in the middle of dbt: while it builds the core facts
    run_last_month(ws, lambda line: "START sql" in line and "core.fct_" in line)
    assert assert_current_release_intact(ws) == good

    # 3. in the middle of the publish: once it writes the new release into .staging/
    staging = serving(ws).staging_dir
    run_last_month(ws, lambda _: staging.is_dir() and any(staging.iterdir()))
    assert assert_current_release_intact(ws) == good  # a half-written release never went live
    assert mart_checksums(ws) == first_build  # dbt had finished: the second build of the marts

    # a clean rerun: the marts a third time, identical; a complete new release goes live
    run_last_month(ws)
    assert mart_checksums(ws) == first_build
    assert assert_current_release_intact(ws) != good
    assert not any(serving(ws).staging_dir.iterdir())  # the killed publish was cleared
