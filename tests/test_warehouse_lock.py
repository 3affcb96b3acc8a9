"""A warehouse held by another process: waited for once, at most the configured time, then
one error naming the holder; a step that meets a held file fails at once, never retries.
Real DuckDB files held by real separate processes."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import duckdb
import pytest
from dagster import Failure
from servers.processes import warehouse_holder

from ka_pipeline.defs.resources import WarehouseResource
from ka_pipeline.warehouse_lock import WarehouseHeldError, wait_until_free


@pytest.fixture
def warehouse(tmp_path) -> Path:
    path = tmp_path / "warehouse.duckdb"
    duckdb.connect(str(path)).close()
    return path


def test_a_free_or_missing_warehouse_passes_at_once(warehouse, tmp_path):
    wait_until_free(warehouse, 0)
    wait_until_free(tmp_path / "not_built_yet.duckdb", 0)


def test_a_read_only_holder_is_named_after_the_bounded_wait(warehouse):
    with warehouse_holder(warehouse, read_only=True) as holder:
        started = time.monotonic()
        with pytest.raises(WarehouseHeldError) as raised:
            wait_until_free(warehouse, 2)
        waited = time.monotonic() - started
    assert 2 <= waited < 4
    assert f"process {holder.pid} (" in str(raised.value)
    assert str(warehouse) in str(raised.value) and "KA_WAREHOUSE_WAIT_SECONDS" in str(raised.value)


def test_the_wait_ends_when_the_holder_lets_go(warehouse):
    with warehouse_holder(warehouse, read_only=False) as holder:
        threading.Timer(1.0, holder.stdin.close).start()
        started = time.monotonic()
        wait_until_free(warehouse, 30)
    assert time.monotonic() - started < 10


def test_a_step_meeting_a_held_warehouse_fails_at_once_naming_the_holder(warehouse):
    resource = WarehouseResource(database=str(warehouse))
    with warehouse_holder(warehouse, read_only=True) as holder:
        started = time.monotonic()
        with pytest.raises(Failure) as raised, resource.get_connection():
            pass
        elapsed = time.monotonic() - started
    assert elapsed < 1, "no retries"
    assert f"held by process {holder.pid}" in raised.value.description
    assert raised.value.allow_retries is False
    with resource.get_connection() as conn:  # released: opens normally
        assert conn.execute("select 1").fetchone() == (1,)
