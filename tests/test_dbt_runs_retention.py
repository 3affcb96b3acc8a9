"""Each dbt invocation of a run writes its target folder under $KA_DATA_DIR/dbt_runs; only
the newest are kept, so nightly runs do not fill the data disk (tens of MB each). Each
invocation starts its parse from the newest earlier one's, so a run does not re-parse the
whole project."""

from __future__ import annotations

import json
import os

from conftest import make_workspace

from ka_pipeline.defs.resources import DBT_RUNS_KEPT, build_resources, prune_runs


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


def _parsed_files(dbt, **run_env) -> int:
    """How many files one `dbt parse` through the resource had to parse (0: all reused)."""
    invocation = dbt.cli(["parse"], run_env=run_env).wait()
    assert invocation.is_successful()
    return json.loads((invocation.target_path / "perf_info.json").read_text())["parsed_path_count"]


def test_an_invocation_starts_from_the_previous_ones_parse(tmp_path):
    dbt = build_resources(make_workspace(tmp_path).settings)["dbt"]
    # the project's saved parse has another warehouse path in its profile: a full parse
    assert _parsed_files(dbt) > 300
    # the next reuses it all, also when the run's window (environment, not --vars) changes
    assert _parsed_files(dbt, KA_RUN_MIN_DATE="2024-06-01", KA_RUN_MAX_DATE="2024-06-30") == 0
    assert _parsed_files(dbt, KA_RUN_MIN_DATE="2024-07-01", KA_RUN_MAX_DATE="2024-07-31") == 0
    assert "KA_RUN_MIN_DATE" not in os.environ
