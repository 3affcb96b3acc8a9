"""The serving area on disk: releases, the `current` pointer, and the publish lock.

```
<KA_OUTPUT_DIR>/serving/
  current -> releases/<release_id>       relative symlink; the only thing ever switched
  releases/<release_id>/                 immutable once renamed in
      serving.duckdb                     BI tables (schemas marts, core, meta), read-only
      parquet/<schema>/<table>.parquet   the same tables as Parquet
      manifest.json                      run id, as-of date, parameters, counts, checksums
  .staging/                              publishes in progress (and releases being deleted)
  .lock                                  serializes publish, rollback and pruning
```

A release folder is written completely under `.staging/` and renamed into `releases/`;
`current` is then replaced by `os.replace` of a new symlink, which is atomic: a reader
resolves either the old or the new release, never a mix, and a killed publish leaves the
previous `current` untouched. Nothing under `releases/` is written after the rename, so no
file a reader has open is ever modified.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

MANIFEST_NAME = "manifest.json"
SERVING_DB_NAME = "serving.duckdb"


class ServingError(RuntimeError):
    """A publish, rollback or pruning step that cannot be done (the message says why)."""


@dataclass(frozen=True)
class ReleaseInfo:
    """A complete release (one with a manifest) as listed from disk."""

    release_id: str
    path: Path
    manifest: dict

    @property
    def published_at(self) -> str:
        return self.manifest.get("published_at", "")

    @property
    def as_of_date(self) -> str | None:
        return self.manifest.get("as_of_date")


@dataclass(frozen=True)
class ServingArea:
    root: Path

    @property
    def releases_dir(self) -> Path:
        return self.root / "releases"

    @property
    def staging_dir(self) -> Path:
        return self.root / ".staging"

    @property
    def current_link(self) -> Path:
        return self.root / "current"

    @property
    def current_database(self) -> Path:
        """The stable path BI tools connect to (resolved when a connection opens)."""
        return self.current_link / SERVING_DB_NAME

    def ensure(self) -> None:
        self.releases_dir.mkdir(parents=True, exist_ok=True)
        self.staging_dir.mkdir(parents=True, exist_ok=True)

    # -- reading ----------------------------------------------------------------------

    def current_release_id(self) -> str | None:
        try:
            target = os.readlink(self.current_link)
        except FileNotFoundError:
            return None
        return Path(target).name

    def release(self, release_id: str) -> ReleaseInfo:
        path = self.releases_dir / release_id
        manifest_path = path / MANIFEST_NAME
        if not manifest_path.is_file():
            known = ", ".join(r.release_id for r in self.releases()) or "none"
            raise ServingError(
                f"No complete release {release_id!r} in {self.releases_dir} (no {MANIFEST_NAME});"
                f" releases: {known}"
            )
        return ReleaseInfo(release_id, path, json.loads(manifest_path.read_text("utf-8")))

    def releases(self) -> list[ReleaseInfo]:
        """Complete releases, oldest first (by publish time, then id)."""
        if not self.releases_dir.is_dir():
            return []
        found = [
            self.release(p.name)
            for p in self.releases_dir.iterdir()
            if p.is_dir() and (p / MANIFEST_NAME).is_file()
        ]
        return sorted(found, key=lambda r: (r.published_at, r.release_id))

    # -- writing ----------------------------------------------------------------------

    @contextmanager
    def lock(self, timeout_s: float = 600.0) -> Iterator[None]:
        """Exclusive lock of the serving area (publish / rollback / prune), released by the
        OS if the holder dies. Readers never take it."""
        self.root.mkdir(parents=True, exist_ok=True)
        deadline = time.monotonic() + timeout_s
        with open(self.root / ".lock", "a+") as handle:
            while True:
                try:
                    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise ServingError(
                            f"{self.root / '.lock'}: another publish or rollback has held the "
                            f"serving area for over {timeout_s:.0f} s"
                        ) from None
                    time.sleep(0.2)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def switch_current(self, release_id: str) -> None:
        """Point `current` at a release atomically (a new symlink renamed over the old)."""
        target = self.releases_dir / release_id
        if not (target / MANIFEST_NAME).is_file():
            raise ServingError(f"{target}: not a complete release, `current` left unchanged")
        temporary = self.root / f".current.{os.getpid()}.tmp"
        temporary.unlink(missing_ok=True)
        # relative, so the serving folder can be mounted or moved elsewhere (e.g. a container)
        os.symlink(os.path.join(self.releases_dir.name, release_id), temporary)
        os.replace(temporary, self.current_link)
        fsync_dir(self.root)

    def clear_staging(self) -> list[str]:
        """Remove what killed publishes left in .staging/ (call with the lock held)."""
        removed = []
        if self.staging_dir.is_dir():
            for leftover in self.staging_dir.iterdir():
                shutil.rmtree(leftover, ignore_errors=True)
                removed.append(leftover.name)
        return removed

    def delete_release(self, path: Path) -> None:
        """Move out of releases/ first (one rename), then delete: never a half release."""
        trash = self.staging_dir / f"deleting-{path.name}"
        os.replace(path, trash)
        shutil.rmtree(trash, ignore_errors=True)


def fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_file(path: Path) -> None:
    with open(path, "rb") as handle:
        os.fsync(handle.fileno())


def in_use_by_reader(database: Path) -> bool:
    """Whether another process has the DuckDB file open (DuckDB holds an fcntl lock on it:
    shared for read-only connections). Probing must not happen in a process that itself has
    the file open: closing the probe would drop that process's own lock."""
    try:
        fd = os.open(database, os.O_RDWR)
    except FileNotFoundError:
        return False
    except PermissionError:
        return True  # cannot tell: treat as in use, keep it
    try:
        fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return True
    else:
        fcntl.lockf(fd, fcntl.LOCK_UN)
        return False
    finally:
        os.close(fd)
