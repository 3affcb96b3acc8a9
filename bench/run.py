"""`make bench`: measure the pipeline and its three comparators on 1M and 10M order lines.

For each size and repetition, in this order, each in a fresh process:
  full build   `ka-pipeline run` on a fresh workspace (history up to the day before
               NEW_DAY): extract -> dbt build (models + tests) -> GX checks -> publish;
  nightly run  NEW_DAY's files delivered, `ka-pipeline run --start NEW_DAY --end NEW_DAY`;
  floor        the dbt-compiled SQL in one bare DuckDB process (bench/floor.py);
  pandas       the RFM, tier and monthly-KPI marts in pandas (bench/pandas_marts.py);
  DuckDB script  the same three marts as one DuckDB SQL script over the landing files
               (bench/duckdb_marts.py).
Then the definitions load (fresh interpreter, `import ka_pipeline.definitions`).
Results: bench/results.json and the results section of BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from datetime import UTC, datetime, timedelta

from bench import config, pipeline
from bench.datasets import ensure_dataset
from bench.floor import compile_models
from bench.machine import machine_info
from bench.proctree import run_measured
from bench.report import check_targets, merge_results, summarise_size, write_markdown
from bench.workspace import BenchWorkspace, fresh_workspace


def _log(message: str) -> None:
    print(f"{datetime.now():%H:%M:%S} {message}", flush=True)


def _measure_module(module: str, args: list[str], workspace: BenchWorkspace) -> dict:
    """`python -m <module> <args>` timed, with peak RSS and the JSON it prints."""
    measured = run_measured(
        [sys.executable, "-m", module, *args], env=workspace.env, cwd=workspace.root
    )
    if measured.returncode != 0:
        raise pipeline.BenchStepFailed(f"{module} failed:\n{measured.stderr[-4000:]}")
    return {
        "seconds": measured.seconds,
        "peak_rss_bytes": measured.peak_rss_bytes,
        **json.loads(measured.stdout.strip().splitlines()[-1]),
    }


def measure_size(label: str, repeat: int, compiled: dict) -> dict:
    size = config.SIZES[label]
    dataset = ensure_dataset(size, log=_log)
    runs_dir = config.CACHE_DIR / "runs" / label
    history_end = config.NEW_DAY - timedelta(days=1)
    result = {
        "measured_at": datetime.now(UTC).isoformat(timespec="minutes"),
        "repeat": repeat,
        "order_lines": dataset.order_lines,
        "scale": size.scale,
        "landing_mib": round(dataset.landing_bytes / 2**20),
        "history": f"{config.START} .. {history_end}",
        "new_day": config.NEW_DAY.isoformat(),
        "full_build": [], "nightly": [], "floor": [], "pandas": [], "duckdb_script": [],
    }  # fmt: skip
    for rep in range(1, repeat + 1):
        tag = f"[{label} {rep}/{repeat}]"
        workspace = fresh_workspace(runs_dir / "pipeline", dataset)
        _log(f"{tag} full build ...")
        full = pipeline.full_build(workspace)
        result["full_build"].append(full.as_dict())
        _log(
            f"{tag} full build {full.seconds:.1f} s, peak RSS {full.peak_rss_bytes / 2**30:.2f} GiB"
        )

        night = pipeline.nightly_run(workspace, config.NEW_DAY)
        result["nightly"].append(night.as_dict())
        _log(f"{tag} nightly run {night.seconds:.1f} s")

        if "manifest" not in compiled:
            compiled["manifest"] = compile_models(
                config.CACHE_DIR / "compiled",
                workspace.settings.warehouse_path,
                workspace.env,
            )
        floor_db = runs_dir / "floor" / workspace.settings.warehouse_path.name
        floor_db.parent.mkdir(parents=True, exist_ok=True)
        floor = _measure_module(
            "bench.floor",
            [
                "--database", str(floor_db), "--manifest", str(compiled["manifest"]),
                "--landing", str(workspace.settings.landing_dir),
                "--days", f"{config.START}..{history_end}",
                "--seeds-from", str(workspace.settings.warehouse_path),
                "--pii-salt", config.BENCH_PII_SALT,
                "--memory-limit", workspace.settings.duckdb_memory_limit,
                "--threads", str(workspace.settings.duckdb_threads),
            ],
            workspace,
        )  # fmt: skip
        result["floor"].append(floor)
        _log(f"{tag} floor {floor['seconds']:.1f} s (load {floor['load_s']:.1f} s)")

        pandas = _measure_module(
            "bench.pandas_marts",
            ["--landing", str(dataset.landing_dir), "--exclude-day", config.NEW_DAY.isoformat()],
            workspace,
        )
        result["pandas"].append(pandas)
        _log(f"{tag} pandas {pandas['seconds']:.1f} s")

        script = _measure_module(
            "bench.duckdb_marts",
            [
                "--landing", str(dataset.landing_dir), "--exclude-day", config.NEW_DAY.isoformat(),
                "--memory-limit", workspace.settings.duckdb_memory_limit,
                "--threads", str(workspace.settings.duckdb_threads),
            ],
            workspace,
        )  # fmt: skip
        result["duckdb_script"].append(script)
        _log(f"{tag} DuckDB script {script['seconds']:.1f} s")
    shutil.rmtree(runs_dir, ignore_errors=True)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--sizes", default="1M,10M", help=f"comma-separated, of {', '.join(config.SIZES)}"
    )
    parser.add_argument("--repeat", type=int, default=3, help="repetitions (medians of these)")
    parser.add_argument(
        "--no-write", action="store_true", help="print the results, do not write the files"
    )
    parser.add_argument(
        "--render-only",
        action="store_true",
        help="measure nothing: rewrite BENCHMARKS.md's results section from results.json",
    )
    args = parser.parse_args(argv)
    if args.render_only:
        results = json.loads(config.RESULTS_JSON.read_text())
        results["targets"] = check_targets(results)  # the current targets, not the recorded
        write_markdown(results, config.BENCHMARKS_MD)
        return 0
    labels = [s.strip() for s in args.sizes.split(",") if s.strip()]
    unknown = [s for s in labels if s not in config.SIZES]
    if unknown or args.repeat < 1:
        parser.error(f"unknown size(s) {unknown}" if unknown else "--repeat must be >= 1")

    started = time.perf_counter()
    run = {
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": f"python -m bench --sizes {','.join(labels)} --repeat {args.repeat}",
        "machine": machine_info(),
    }
    compiled: dict = {}
    sizes = {label: summarise_size(measure_size(label, args.repeat, compiled)) for label in labels}
    probe = fresh_workspace(
        config.CACHE_DIR / "runs" / "definitions",
        ensure_dataset(config.SIZES[labels[0]]),
        link_history=False,
    )
    run["definitions_load"] = pipeline.definitions_load(probe, repeat=max(3, args.repeat))
    shutil.rmtree(probe.root, ignore_errors=True)
    run["wall_minutes"] = round((time.perf_counter() - started) / 60, 1)

    previous = json.loads(config.RESULTS_JSON.read_text()) if config.RESULTS_JSON.exists() else None
    results = merge_results(run, sizes, previous)
    if args.no_write:
        print(json.dumps(results, indent=2))
        return 0
    config.RESULTS_JSON.write_text(json.dumps(results, indent=2) + "\n")
    write_markdown(results, config.BENCHMARKS_MD)
    _log(f"wrote {config.RESULTS_JSON} and {config.BENCHMARKS_MD}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
