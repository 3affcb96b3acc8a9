"""CLI runs commit Dagster events to SQLite without a sync and a checkpoint per event."""

from __future__ import annotations

import sqlite3

from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from ka_pipeline.runs.instance_sqlite import fast_sqlite_commits


def test_a_closed_event_connection_neither_syncs_nor_checkpoints(tmp_path):
    fast_sqlite_commits()
    database = tmp_path / "events.db"
    # as Dagster's SQLite storages: WAL, and a new connection per event (NullPool)
    engine = create_engine(f"sqlite:///{database}", poolclass=NullPool)
    with engine.begin() as conn:
        conn.execute(text("pragma journal_mode = wal"))
        conn.execute(text("create table event_logs (event text)"))
    for n in range(3):
        with engine.begin() as conn:
            conn.execute(text("insert into event_logs values (:n)"), {"n": str(n)})
            assert conn.execute(text("pragma synchronous")).scalar() == 1  # NORMAL
    engine.dispose()

    # the last event connection closed without checkpointing: the events are in the WAL
    wal = tmp_path / "events.db-wal"
    assert wal.exists() and wal.stat().st_size > 0
    with sqlite3.connect(database) as reader:
        assert reader.execute("select count(*) from event_logs").fetchone() == (3,)
