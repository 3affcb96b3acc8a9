"""What every test server needs: a free local port, and default signal handlers; and a
process that holds a DuckDB file open, as another client would."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def default_signal_handlers() -> None:
    """For `preexec_fn`: background processes here inherit ignored SIGINT/SIGTERM (and
    SIGQUIT), so a server started from them would not stop when asked."""
    for number in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT):
        signal.signal(number, signal.SIG_DFL)


@contextmanager
def warehouse_holder(path: Path, read_only: bool) -> Iterator[subprocess.Popen]:
    """Another process with the DuckDB file `path` open until the block ends."""
    holder = subprocess.Popen(
        [sys.executable, "-c",
         f"import duckdb, sys; c = duckdb.connect({str(path)!r}, read_only={read_only});"
         " print('held', flush=True); sys.stdin.read()"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout.readline().strip() == "held"
        yield holder
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)
