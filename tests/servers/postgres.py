"""A throwaway PostgreSQL 15 server: a cluster in a temporary directory, on 127.0.0.1.

initdb refuses to run as root, so under root the cluster belongs to the `postgres` user
(the server package's) and its processes run as that user. The server is started with the
default handlers of SIGINT/SIGTERM/SIGQUIT: a process started from a background job
inherits them ignored, and `pg_ctl stop` could not stop it.
"""

from __future__ import annotations

import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg2

from servers.processes import default_signal_handlers, free_port

PG_BIN = Path("/usr/lib/postgresql/15/bin")
SERVER_USER = "postgres"  # the owner of the cluster when the tests run as root


@dataclass(frozen=True)
class Postgres:
    port: int
    user: str
    password: str
    database: str = "postgres"

    @property
    def env(self) -> dict[str, str]:
        """The instance connection, as deploy/ka-pipeline.env.template names it."""
        return {
            "DAGSTER_PG_HOST": "127.0.0.1",
            "DAGSTER_PG_PORT": str(self.port),
            "DAGSTER_PG_DB": self.database,
            "DAGSTER_PG_USER": self.user,
            "DAGSTER_PG_PASSWORD": self.password,
        }

    def query(self, sql: str) -> list[tuple]:
        with psycopg2.connect(
            host="127.0.0.1", port=self.port, user=self.user, password=self.password,
            dbname=self.database,
        ) as conn, conn.cursor() as cursor:  # fmt: skip
            cursor.execute(sql)
            return cursor.fetchall()


def _as_server_user() -> dict:
    """Popen arguments that run a command as the cluster's owner."""
    return {"user": SERVER_USER, "group": SERVER_USER} if os.geteuid() == 0 else {}


@contextmanager
def postgres_server(user: str = "dagster", password: str = "pg-test-pw") -> Iterator[Postgres]:
    root = Path(tempfile.mkdtemp(prefix="ka-pg-"))
    if os.geteuid() == 0:
        owner = pwd.getpwnam(SERVER_USER)
        os.chown(root, owner.pw_uid, owner.pw_gid)
    data, password_file = root / "data", root / "password"
    server = None
    try:
        run = {**_as_server_user(), "check": True, "capture_output": True}
        password_file.write_text(password)
        subprocess.run(
            [PG_BIN / "initdb", "-D", data, "-U", user, f"--pwfile={password_file}",
             "--auth=scram-sha-256", "-E", "UTF8", "--no-sync"],
            **run,
        )  # fmt: skip
        port = free_port()
        server = subprocess.Popen(
            [PG_BIN / "postgres", "-D", data, "-h", "127.0.0.1", "-p", str(port),
             "-k", root, "-c", "fsync=off", "-c", "synchronous_commit=off",
             "-c", "full_page_writes=off"],
            stdout=subprocess.DEVNULL, stderr=open(root / "server.log", "wb"),  # noqa: SIM115
            preexec_fn=default_signal_handlers, start_new_session=True, **_as_server_user(),
        )  # fmt: skip
        postgres = Postgres(port, user, password)
        _wait_until_ready(postgres, server, root / "server.log")
        yield postgres
    finally:
        if server is not None:
            _stop(server, data)
        shutil.rmtree(root, ignore_errors=True)


def _wait_until_ready(postgres: Postgres, server: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            postgres.query("select 1")
            return
        except psycopg2.OperationalError:
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"PostgreSQL did not start:\n{log.read_text()}") from None
            time.sleep(0.2)


def _stop(server: subprocess.Popen, data: Path) -> None:
    subprocess.run(
        [PG_BIN / "pg_ctl", "stop", "-D", data, "-m", "immediate", "-w", "-t", "20"],
        capture_output=True, **_as_server_user(),
    )  # fmt: skip
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)  # its own session: the server and its workers
        server.wait(timeout=20)
