"""BI serving: releases that readers can query while publishes happen (ka_pipeline/serving).

Built from copies of the `clean_build` warehouse (the fixture itself is only read): the
reader loops, the killed publishes and the rollbacks all run in real separate processes
over real DuckDB files in temporary directories.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import duckdb
import pytest
from dagster import AssetKey, DagsterInstance

from ka_pipeline.serving import (
    SERVED_TABLES,
    PersonalDataError,
    ServingArea,
    prune_releases,
    publish_release,
    release_problems,
)

pytestmark = pytest.mark.slow

# One statement: the release a connection sees and row counts of three of its tables.
CONSISTENCY_QUERY = (
    "select release.release_id, "
    "(select count(*) from marts.mart_account_rfm), "
    "(select count(*) from marts.mart_kpi_monthly), "
    "(select count(*) from core.dim_accounts), "
    "(select sum(row_count) from meta.release_tables) "
    "from meta.release as release"
)

READER = r"""
import json, os, sys, time
mode, database, stop, ready, out, query = sys.argv[1:7]
if mode == "sqlalchemy":  # the way Superset connects: duckdb-engine, read-only, no pool
    import sqlalchemy as sa
    from sqlalchemy.pool import NullPool
    engine = sa.create_engine(f"duckdb:///{database}?access_mode=read_only", poolclass=NullPool)
    def once():
        with engine.connect() as conn:
            return list(conn.execute(sa.text(query)).one())
else:
    import duckdb
    # hardened like the Metabase DuckDB driver: no access to files outside the database
    config = {"enable_external_access": False}
    if mode == "duckdb-held":  # one connection kept open through every publish
        held = duckdb.connect(database, read_only=True, config=config)
        once = lambda: list(held.execute(query).fetchone())
    else:  # a new connection per query
        def once():
            with duckdb.connect(database, read_only=True, config=config) as conn:
                return list(conn.execute(query).fetchone())
queries, errors, seen = 0, [], {}
deadline = time.monotonic() + 90
while not os.path.exists(stop) and time.monotonic() < deadline:
    try:
        row = once()
        queries += 1
        if row[0] not in seen:  # tell the test which releases this reader has seen
            open(f"{out}.{row[0]}", "w").close()
        seen.setdefault(row[0], [])
        if row[1:] not in seen[row[0]]:
            seen[row[0]].append(row[1:])
    except Exception as error:
        errors.append(repr(error)[:300])
    time.sleep(0.005)  # a busy dashboard, not a spin loop starving the publisher of CPU
    if queries == 1 and not os.path.exists(ready):
        open(ready, "w").close()
json.dump({"queries": queries, "errors": errors, "seen": seen}, open(out, "w"))
"""

PUBLISHER = r"""
import json, sys, time
from pathlib import Path
from ka_pipeline.serving import publish_release
serving, timings, ids = Path(sys.argv[1]), [], []
for n, warehouse in enumerate(sys.argv[2:]):
    release = publish_release(Path(warehouse), serving, run_id=f"publisher{n}", keep_releases=7)
    ids.append(release.release_id)
    timings.append(release.seconds)
    time.sleep(1.0)  # let the readers query the new release for a while
print(json.dumps({"ids": ids, "seconds": timings}))
"""

# A publish that SIGKILLs itself at a chosen point: in the middle of writing the Parquet
# files, or after the release folder was renamed in but before `current` is switched.
KILLED_PUBLISH = r"""
import os, signal, sys
from pathlib import Path
import ka_pipeline.serving.publish as publish
warehouse, serving, point = sys.argv[1:4]
if point == "mid_export":
    export, written = publish._export_parquet, []
    def killing_export(conn, folder, table):
        if len(written) == 5:
            os.kill(os.getpid(), signal.SIGKILL)
        written.append(table)
        return export(conn, folder, table)
    publish._export_parquet = killing_export
else:
    publish.ServingArea.switch_current = lambda self, release_id: os.kill(os.getpid(), 9)
publish.publish_release(Path(warehouse), Path(serving), run_id="killed", keep_releases=7)
"""


def python(*args: str, **kwargs) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", *args], **kwargs)


def expected_row(manifest: dict) -> list:
    rows = {t["name"]: t["rows"] for t in manifest["tables"]}
    return [
        rows["marts.mart_account_rfm"],
        rows["marts.mart_kpi_monthly"],
        rows["core.dim_accounts"],
        sum(rows.values()),
    ]


def current_view(area: ServingArea) -> str:
    with duckdb.connect(str(area.current_database), read_only=True) as conn:
        return conn.execute("select release_id from meta.release").fetchone()[0]


@pytest.fixture(scope="module")
def warehouses(clean_build, tmp_path_factory) -> dict[str, Path]:
    """Copies of the clean build's warehouse: as built, and two that differ in row counts
    (so a result mixing two releases would show)."""
    root = tmp_path_factory.mktemp("serving_warehouses")
    source = clean_build.settings.warehouse_path
    copies = {}
    for name, rfm_drop, kpi_drop in (("base", 0, 0), ("smaller", 5, 0), ("smallest", 9, 4)):
        copies[name] = root / f"{name}.duckdb"
        shutil.copy(source, copies[name])
        with duckdb.connect(str(copies[name])) as conn:
            for table, drop in (("mart_account_rfm", rfm_drop), ("mart_kpi_monthly", kpi_drop)):
                conn.execute(
                    f"delete from marts.{table} where rowid in "
                    f"(select rowid from marts.{table} limit {drop})"
                )
    return copies


def test_the_full_build_published_a_gated_release(clean_build):
    """`ka-pipeline run` (job full_build) ran publish/bi_release after the checks passed."""
    area = ServingArea(clean_build.settings.serving_dir)
    current = area.current_release_id()
    assert current is not None
    release = area.release(current)
    manifest = release.manifest
    assert release_problems(release.path, manifest) == []
    for table in manifest["tables"]:
        assert clean_build.query(f"select count(*) from {table['name']}")[0][0] == table["rows"]
    assert {t["name"] for t in manifest["tables"]} == {t.qualified for t in SERVED_TABLES}
    as_of = clean_build.query(
        "select distinct cast(as_of_date as varchar) from marts.mart_run_parameters"
    )
    assert manifest["as_of_date"] == as_of[0][0]
    assert manifest["parameters"]["rfm_window_months"]["value"] == "12"
    # written in the storage format every DuckDB since 1.0 reads, and the manifest says so
    assert manifest["serving_storage_version"] == "v1.0.0"
    assert manifest["min_duckdb_reader_version"] == "1.0.0"
    with duckdb.connect() as conn:
        conn.execute(f"attach '{release.path / 'serving.duckdb'}' as served (read_only)")
        tags = conn.execute(
            "select tags from duckdb_databases() where database_name = 'served'"
        ).fetchone()[0]
    assert tags["storage_version"].startswith("v1.0.0")
    checks = manifest["checks"]
    assert checks["total"] > 100 and set(checks["by_state"]) == {"passed"}
    assert {c["check"] for c in checks["results"] if c["check"].startswith("gx_marts__")}
    with DagsterInstance.from_config(str(clean_build.root / "dagster_home")) as instance:
        event = instance.get_latest_materialization_event(AssetKey(["publish", "bi_release"]))
    metadata = event.asset_materialization.metadata
    assert metadata["release_id"].value == current
    assert metadata["row_counts"].value == {t["name"]: t["rows"] for t in manifest["tables"]}
    assert metadata["checksums"].value["marts.mart_account_rfm"] == next(
        t["sha256"] for t in manifest["tables"] if t["name"] == "marts.mart_account_rfm"
    )
    # no personal data: the published dimensions carry no contact columns at all
    with duckdb.connect(str(area.current_database), read_only=True) as conn:
        columns = {
            r[0] for r in conn.execute("select column_name from duckdb_columns()").fetchall()
        }
    assert not {c for c in columns if "phone" in c or "email" in c or c == "contact_name"}


def test_readers_never_fail_nor_mix_releases_during_publishes(warehouses, tmp_path):
    area = ServingArea(tmp_path / "serving")
    first = publish_release(warehouses["base"], area.root, run_id="initial", keep_releases=7)
    stop = tmp_path / "stop"
    readers = {}
    for mode in ("sqlalchemy", "duckdb", "duckdb-held"):
        out, ready = tmp_path / f"{mode}.json", tmp_path / f"{mode}.ready"
        readers[mode] = (
            python(READER, mode, str(area.current_database), str(stop), str(ready), str(out),
                   CONSISTENCY_QUERY),
            ready,
            out,
        )  # fmt: skip
    try:  # the readers stop when `stop` appears, also when an assertion fails
        deadline = time.monotonic() + 30
        while not all(ready.exists() for _, ready, _ in readers.values()):
            assert time.monotonic() < deadline, "readers did not start"
            time.sleep(0.1)

        publisher = subprocess.run(
            [sys.executable, "-c", PUBLISHER, str(area.root), str(warehouses["smaller"]),
             str(warehouses["smallest"])],
            capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        assert publisher.returncode == 0, publisher.stderr[-3000:]
        # the last line: DuckDB may print a progress bar above it when a query takes > 2 s
        published = json.loads(publisher.stdout.strip().splitlines()[-1])
        releases = [first.release_id, *published["ids"]]
        deadline = time.monotonic() + 30  # until the reconnecting readers have seen the last one
        while not all(Path(f"{out}.{releases[-1]}").exists() for _, _, out in
                      (readers["sqlalchemy"], readers["duckdb"])):  # fmt: skip
            assert time.monotonic() < deadline, "readers did not see the last release"
            time.sleep(0.1)
    finally:
        stop.touch()
    results = {}
    for mode, (process, _, out) in readers.items():
        assert process.wait(timeout=30) == 0
        results[mode] = json.loads(out.read_text())

    expected = {r: expected_row(area.release(r).manifest) for r in releases}
    assert len({json.dumps(v) for v in expected.values()}) == 3  # the releases differ
    for mode, result in results.items():
        assert result["errors"] == [], mode
        assert result["queries"] > 0
        for release_id, rows in result["seen"].items():
            # every result set is exactly one release: its id and its counts, never a mix
            assert rows == [expected[release_id]], (mode, release_id, rows)
    # readers that reconnect see the new releases; a connection kept open keeps its own
    assert set(results["sqlalchemy"]["seen"]) >= {releases[0], releases[-1]}
    assert set(results["duckdb"]["seen"]) >= {releases[0], releases[-1]}
    assert list(results["duckdb-held"]["seen"]) == [releases[0]]
    assert area.current_release_id() == releases[-1]
    print(
        "\nreader loop:",
        {m: {"queries": r["queries"], "errors": len(r["errors"]), "releases_seen": len(r["seen"])}
         for m, r in results.items()},
        "publish seconds:", [round(first.seconds, 2), *(round(s, 2) for s in published["seconds"])],
    )  # fmt: skip


def test_a_killed_publish_leaves_the_previous_release_current_and_intact(warehouses, tmp_path):
    area = ServingArea(tmp_path / "serving")
    previous = publish_release(warehouses["base"], area.root, run_id="previous", keep_releases=7)

    for point in ("mid_export", "before_switch"):
        killed = subprocess.run(
            [sys.executable, "-c", KILLED_PUBLISH, str(warehouses["smaller"]), str(area.root),
             point],
            capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        assert killed.returncode == -9, killed.stderr[-3000:]
        assert area.current_release_id() == previous.release_id
        assert release_problems(previous.path, previous.manifest) == []
        assert current_view(area) == previous.release_id
        if point == "mid_export":  # the half-written release is left aside, never current
            assert any(area.staging_dir.iterdir())
        else:  # complete and renamed in, but never switched to
            assert len(area.releases()) == 2

    after = publish_release(warehouses["smaller"], area.root, run_id="after", keep_releases=7)
    assert area.current_release_id() == after.release_id == current_view(area)
    assert list(area.staging_dir.iterdir()) == []  # leftovers cleared by the next publish


def test_retention_and_rollback(warehouses, tmp_path):
    area = ServingArea(tmp_path / "outputs" / "serving")
    ids = [
        publish_release(warehouses[name], area.root, run_id=name, keep_releases=2).release_id
        for name in ("base", "smaller", "smallest")
    ]
    assert [r.release_id for r in area.releases()] == ids[1:]  # keeps the newest 2
    env = {**os.environ, "KA_OUTPUT_DIR": str(tmp_path / "outputs")}

    def cli(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "ka_pipeline.cli", "rollback", *args],
            env=env, capture_output=True, text=True, timeout=60,
        )  # fmt: skip

    back = cli()  # to the release before the current one
    assert back.returncode == 0, back.stderr
    assert f"{ids[2]} -> {ids[1]}" in back.stdout
    assert area.current_release_id() == ids[1] == current_view(area)
    assert prune_releases(area, keep=1) == ([], [])  # the current one is never deleted

    # a BI client holding the rolled-back release open keeps it across a switch and a prune
    holder = python(
        "import duckdb, sys; c = duckdb.connect(sys.argv[1], read_only=True); print(1, flush=True);"
        " sys.stdin.read(); print(c.execute('select count(*) from marts.mart_kpi_monthly')"
        ".fetchone()[0])",
        str(area.current_database),
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert holder.stdout.readline().strip() == "1"
    assert cli("--to", ids[2]).returncode == 0
    assert area.current_release_id() == ids[2]
    assert prune_releases(area, keep=1) == ([], [ids[1]])  # in use: kept
    out, _ = holder.communicate("", timeout=30)
    assert int(out.strip()) == area.release(ids[1]).manifest["tables"][0]["rows"]
    assert prune_releases(area, keep=1) == ([ids[1]], [])  # released: deleted

    refused = cli()
    assert refused.returncode == 1 and "nothing older to roll back to" in refused.stderr
    assert area.current_release_id() == ids[2]


def test_personal_data_is_never_published(warehouses, tmp_path):
    warehouse = tmp_path / "with_pii.duckdb"
    shutil.copy(warehouses["base"], warehouse)
    with duckdb.connect(str(warehouse)) as conn:
        conn.execute("alter table core.dim_accounts add column contact_phone varchar")
    area = ServingArea(tmp_path / "serving")
    with pytest.raises(PersonalDataError, match=r"core\.dim_accounts: column\(s\) contact_phone"):
        publish_release(warehouse, area.root, run_id="pii", keep_releases=7)
    assert area.current_release_id() is None and area.releases() == []


def test_the_release_has_a_freshness_policy():
    from ka_pipeline.defs.serving import bi_release

    (spec,) = bi_release.specs
    policy = spec.freshness_policy
    assert policy.warn_window.to_timedelta() == timedelta(hours=30)
    assert policy.fail_window.to_timedelta() == timedelta(hours=54)


def test_identical_warehouses_publish_byte_identical_parquet(warehouses, tmp_path):
    """Rows are written in a stable order: the same warehouse published twice, and a copy
    whose marts hold their rows in another physical order, give the same Parquet bytes."""
    shuffled = tmp_path / "shuffled.duckdb"
    shutil.copy(warehouses["base"], shuffled)
    with duckdb.connect(str(shuffled)) as conn:
        for table in ("mart_account_rfm", "mart_kpi_monthly", "mart_key_account_review"):
            conn.execute(
                f"create or replace table marts.{table} as "
                f"select * from marts.{table} order by hash(rowid) desc"
            )
    area = ServingArea(tmp_path / "serving")
    releases = [
        publish_release(warehouse, area.root, run_id=name, keep_releases=7)
        for name, warehouse in (
            ("first", warehouses["base"]),
            ("second", warehouses["base"]),
            ("shuffled", shuffled),
        )
    ]
    checksums = [{t["name"]: t["sha256"] for t in r.manifest["tables"]} for r in releases]
    assert checksums[0] == checksums[1] == checksums[2]
    for table in releases[0].manifest["tables"]:
        files = [(r.path / table["parquet"]).read_bytes() for r in releases]
        assert files[0] == files[1] == files[2], table["name"]
