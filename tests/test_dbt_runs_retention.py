"""Each dbt invocation of a run writes its target folder under $KA_DATA_DIR/dbt_runs; only
the newest are kept, so nightly runs do not fill the data disk (tens of MB each)."""

from __future__ import annotations

import os

from ka_pipeline.defs.resources import DBT_RUNS_KEPT, prune_runs


def test_only_the_newest_invocation_folders_are_kept(tmp_path):
    runs = tmp_path / "dbt_runs"
    for age in range(DBT_RUNS_KEPT + 3):
        folder = runs / f"run-{age:02d}"
        (folder / "compiled").mkdir(parents=True)
        (folder / "manifest.json").write_text("{}")
        os.utime(folder, (1_000_000 - age, 1_000_000 - age))  # run-00 is the newest
    (runs / "notes.txt").write_text("not a run folder")

    prune_runs(runs, keep=DBT_RUNS_KEPT - 1)  # room for the invocation about to start

    kept = sorted(p.name for p in runs.iterdir() if p.is_dir())
    assert kept == [f"run-{age:02d}" for age in range(DBT_RUNS_KEPT - 1)]
    assert (runs / "notes.txt").exists()


def test_a_missing_runs_folder_is_not_an_error(tmp_path):
    prune_runs(tmp_path / "absent", keep=3)
    assert not (tmp_path / "absent").exists()
