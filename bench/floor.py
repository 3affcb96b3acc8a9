"""The floor: the pipeline's own transformations as plain SQL in one bare DuckDB process.

1. `compile_models` runs `dbt compile --full-refresh` once (not timed): every model's SQL
   as dbt would run it on a first build, with all Jinja resolved.
2. `python -m bench.floor` (the measured process) loads the landing files into `raw` with
   the project's bulk loader (DuckDB's CSV/JSON readers: the raw tables, lineage columns
   and load log are the contract the models read), copies the seed tables from the
   pipeline's warehouse (reference CSVs of a few dozen rows), then runs every model as
   `create table ... as <compiled select>` in dependency order.

No Dagster, no dbt process, no tests, no GX checks, no publish: what is left is the work
DuckDB must do, so `full build / floor` is the orchestration and testing overhead.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from datetime import date
from graphlib import TopologicalSorter
from pathlib import Path

import duckdb

from ka_pipeline.settings import DBT_PROJECT_DIR, DEFAULT_DUCKDB_MEMORY_LIMIT, Settings


def compile_models(target_dir: Path, database: Path, env: dict[str, str]) -> Path:
    """`dbt compile --full-refresh` against `database` into `target_dir`; its manifest.json.

    `database` must hold the raw tables (e.g. the pipeline's warehouse after a build): the
    staging models read the raw columns when they compile and select nothing from a raw
    table that does not exist. Relation names in compiled SQL carry the database name,
    i.e. the stem of the file: the floor database must have the same file name.
    """
    database.parent.mkdir(parents=True, exist_ok=True)
    result = subprocess.run(
        [
            str(Path(sys.executable).parent / "dbt"), "compile", "--full-refresh", "--quiet",
            "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR),
            "--target-path", str(target_dir), "--log-path", str(target_dir / "logs"),
        ],
        env={**env, **Settings.from_env({**env, "KA_WAREHOUSE_PATH": str(database)}).dbt_env()},
        capture_output=True,
        text=True,
    )  # fmt: skip
    if result.returncode != 0:
        raise RuntimeError(f"dbt compile failed:\n{result.stdout[-3000:]}{result.stderr[-3000:]}")
    return target_dir / "manifest.json"


def model_statements(manifest: dict, select: set[str] | None = None) -> list[tuple[str, str]]:
    """(unique_id, `create table ... as ...`) of every model, dependencies first.

    Ephemeral models are inlined by dbt into their consumers' compiled SQL, so they are
    walked for dependencies but not executed. `select` limits the list to those models
    and everything upstream of them.
    """
    models = {
        uid: node for uid, node in manifest["nodes"].items() if node["resource_type"] == "model"
    }
    graph = {
        uid: [dep for dep in node["depends_on"]["nodes"] if dep in models]
        for uid, node in models.items()
    }
    if select is not None:
        wanted, stack = set(), [uid for uid in models if models[uid]["name"] in select]
        while stack:
            uid = stack.pop()
            if uid not in wanted:
                wanted.add(uid)
                stack.extend(graph[uid])
        graph = {uid: deps for uid, deps in graph.items() if uid in wanted}
    return [
        (uid, f"create or replace table {models[uid]['relation_name']} as (\n"
              f"{models[uid]['compiled_code']}\n)")
        for uid in TopologicalSorter(graph).static_order()
        if models[uid]["config"]["materialized"] != "ephemeral"
    ]  # fmt: skip


def seed_relations(manifest: dict, model_ids: list[str]) -> list[tuple[str, str]]:
    """(schema, table) of every seed the models `model_ids` read (also via ephemerals)."""
    nodes, seeds, seen, stack = manifest["nodes"], set(), set(), list(model_ids)
    while stack:
        uid = stack.pop()
        if uid in seen or uid not in nodes:
            continue
        seen.add(uid)
        if nodes[uid]["resource_type"] == "seed":
            seeds.add((nodes[uid]["schema"], nodes[uid]["alias"]))
        elif uid in model_ids or nodes[uid]["config"].get("materialized") == "ephemeral":
            stack.extend(nodes[uid]["depends_on"]["nodes"])
    return sorted(seeds)


def run_floor(
    database: Path,
    manifest_path: Path,
    *,
    landing_dir: Path | None,
    days: list[date],
    seeds_from: Path,
    pii_salt: str,
    memory_limit: str = DEFAULT_DUCKDB_MEMORY_LIMIT,
    threads: int = 2,
    select: set[str] | None = None,
) -> dict:
    """Build `database` from scratch; seconds per phase and per model.

    `landing_dir=None` skips the load (the raw schema must already be in `database`).
    """
    from ka_pipeline.extract.loader import load_mapped_entities
    from ka_pipeline.mapping.schema import load_mapping

    manifest = json.loads(manifest_path.read_text())
    statements = model_statements(manifest, select)
    timings: dict = {"models": {}}
    started = time.perf_counter()
    with duckdb.connect(str(database)) as conn:
        conn.execute(f"set memory_limit = '{memory_limit}'")
        conn.execute(f"set threads = {int(threads)}")
        conn.execute("set preserve_insertion_order = false")
        conn.execute("set variable ka_pii_salt = ?", [pii_salt])
        phase = time.perf_counter()
        if landing_dir is not None:
            load_mapped_entities(conn, load_mapping(), landing_dir, days)
        timings["load_s"] = time.perf_counter() - phase

        phase = time.perf_counter()
        conn.execute(f"attach '{seeds_from}' as pipeline_build (read_only)")
        catalog = conn.execute("select current_database()").fetchone()[0]
        for schema, table in seed_relations(manifest, [uid for uid, _ in statements]):
            conn.execute(f'create schema if not exists "{schema}"')
            conn.execute(
                f'create or replace table "{catalog}"."{schema}"."{table}" as '
                f'select * from pipeline_build."{schema}"."{table}"'
            )
        conn.execute("detach pipeline_build")
        timings["seeds_s"] = time.perf_counter() - phase

        phase = time.perf_counter()
        for schema in sorted({manifest["nodes"][uid]["schema"] for uid, _ in statements}):
            conn.execute(f'create schema if not exists "{schema}"')
        for uid, statement in statements:
            model_started = time.perf_counter()
            try:
                conn.execute(statement)
            except duckdb.Error as error:
                raise RuntimeError(f"floor: model {uid} failed: {error}") from error
            timings["models"][uid] = round(time.perf_counter() - model_started, 3)
        timings["transform_s"] = time.perf_counter() - phase
    timings["total_s"] = time.perf_counter() - started
    return timings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run the bare-DuckDB floor once.")
    parser.add_argument("--database", type=Path, required=True)
    parser.add_argument("--manifest", type=Path, required=True)
    parser.add_argument("--landing", type=Path, required=True)
    parser.add_argument("--seeds-from", type=Path, required=True)
    parser.add_argument("--days", required=True, help="first..last business day to load")
    parser.add_argument("--pii-salt", required=True)
    parser.add_argument("--memory-limit", default=DEFAULT_DUCKDB_MEMORY_LIMIT)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args(argv)
    first, last = (date.fromisoformat(d) for d in args.days.split(".."))
    days = [date.fromordinal(n) for n in range(first.toordinal(), last.toordinal() + 1)]
    args.database.unlink(missing_ok=True)
    timings = run_floor(
        args.database, args.manifest, landing_dir=args.landing, days=days,
        seeds_from=args.seeds_from, pii_salt=args.pii_salt,
        memory_limit=args.memory_limit, threads=args.threads,
    )  # fmt: skip
    print(json.dumps(timings))
    return 0


if __name__ == "__main__":
    sys.exit(main())
