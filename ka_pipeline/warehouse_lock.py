"""Whether another process holds the warehouse file, and which one.

A DuckDB file admits one writer process or many readers, never both: while a BI client,
a notebook or another build has it open (even read-only), no step of a run can write it.
The run checks this once, before it starts (`wait_until_free`, waiting at most
KA_WAREHOUSE_WAIT_SECONDS); a step that still meets a held file fails at once, naming the
holder (`connect_for_writing`), instead of retrying on its own.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import duckdb

# DuckDB's lock error: `Conflicting lock is held in /usr/bin/python3 (PID 1234) by user x`
_HOLDER = re.compile(r"held in (?P<program>.+?) \(PID (?P<pid>\d+)\)")
_POLL_SECONDS = 1.0


class WarehouseHeldError(RuntimeError):
    """Another process holds the warehouse file; the message names it and what to do."""

    def __init__(self, path: Path, holder: str, waited_seconds: float = 0.0):
        waited = f" (waited {waited_seconds:.0f} s)" if waited_seconds >= 1 else ""
        super().__init__(
            f"the warehouse {path} is held by {holder}{waited}: a running build, `make dev` "
            "materializing, or a client with the file open. Wait for it or stop it, then run "
            "again (KA_WAREHOUSE_WAIT_SECONDS sets how long a run waits for it)"
        )
        self.path = path
        self.holder = holder


def connect_for_writing(path: Path, config: dict | None = None) -> duckdb.DuckDBPyConnection:
    """A read-write connection, in one attempt: raises WarehouseHeldError when another
    process holds the file."""
    try:
        return duckdb.connect(str(path), read_only=False, config=config or {})
    except duckdb.IOException as error:
        holder = _holder_from(str(error))
        if holder is None:
            raise
        raise WarehouseHeldError(Path(path), holder) from None


def wait_until_free(path: Path, wait_seconds: float) -> None:
    """Return once no other process holds `path` (at once if the file does not exist yet);
    raise WarehouseHeldError, naming the holder, after `wait_seconds`."""
    path = Path(path)
    started = time.monotonic()
    while True:
        if not path.exists():
            return
        try:
            connect_for_writing(path).close()
            return
        except WarehouseHeldError as error:
            waited = time.monotonic() - started
            if waited >= wait_seconds:
                raise WarehouseHeldError(path, error.holder, waited) from None
        time.sleep(min(_POLL_SECONDS, max(wait_seconds - waited, 0.0)))


def _holder_from(message: str) -> str | None:
    """`process 1234 (/usr/bin/python3)` from DuckDB's lock error; None for other errors.
    Only the program is named, never its arguments (they may carry paths or secrets)."""
    if "Could not set lock" not in message:
        return None
    match = _HOLDER.search(message)
    if match is None:
        return "another process"
    return f"process {match.group('pid')} ({match.group('program')})"
