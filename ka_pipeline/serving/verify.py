"""Check a release folder against its manifest: Parquet checksums and the serving file."""

from __future__ import annotations

import hashlib
from pathlib import Path

import duckdb

from ka_pipeline.serving.area import SERVING_DB_NAME, ServingError


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def release_problems(folder: Path, manifest: dict) -> list[str]:
    """Everything in `folder` that does not match `manifest` (empty when intact)."""
    problems = []
    for table in manifest["tables"]:
        parquet = folder / table["parquet"]
        if not parquet.is_file():
            problems.append(f"{parquet}: missing")
        elif sha256_of(parquet) != table["sha256"]:
            problems.append(f"{parquet}: sha256 differs from {manifest['release_id']} manifest")
    database = folder / SERVING_DB_NAME
    if not database.is_file():
        return [*problems, f"{database}: missing"]
    if manifest.get("serving_database_sha256") not in (None, sha256_of(database)):
        problems.append(f"{database}: sha256 differs from the manifest")
    with duckdb.connect(str(database), read_only=True) as conn:
        release_id = conn.execute("select release_id from meta.release").fetchone()[0]
        if release_id != manifest["release_id"]:
            problems.append(f"{database}: meta.release says {release_id}")
        for table in manifest["tables"]:
            rows = conn.execute(f"select count(*) from {table['name']}").fetchone()[0]
            if rows != table["rows"]:
                problems.append(
                    f"{database}: {table['name']} has {rows} rows, manifest {table['rows']}"
                )
    return problems


def assert_release_intact(folder: Path, manifest: dict) -> None:
    problems = release_problems(folder, manifest)
    if problems:
        raise ServingError(
            f"Release {manifest.get('release_id')} in {folder} is not intact: "
            + "; ".join(problems)
        )
