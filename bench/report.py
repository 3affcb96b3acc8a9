"""Medians, spreads and target checks of a benchmark run; BENCHMARKS.md's results section.

BENCHMARKS.md keeps its hand-written analysis: only the text between the two
`bench:results` markers is replaced.
"""

from __future__ import annotations

import statistics
from pathlib import Path

from bench import config

START_MARK = "<!-- bench:results:start (written by `make bench`, do not edit) -->"
END_MARK = "<!-- bench:results:end -->"
GIB = 2**30


def _spread(values: list[float]) -> dict:
    return {
        "median": round(statistics.median(values), 2),
        "min": round(min(values), 2),
        "max": round(max(values), 2),
        "n": len(values),
    }


def _summary_of(runs: list[dict], seconds_key: str = "seconds") -> dict:
    return {
        "seconds": _spread([r[seconds_key] for r in runs]),
        "peak_rss_gib": _spread([r["peak_rss_bytes"] / GIB for r in runs]),
    }


def summarise_size(size: dict) -> dict:
    """Medians and spreads of one size's repetitions, with a profile of the last one."""
    floor_runs = size["floor"]
    keep = ("order_lines", "scale", "landing_mib", "history", "new_day", "measured_at", "repeat")
    return {key: size[key] for key in keep} | {
        "full_build": _summary_of(size["full_build"])
        | {"profile_of_last_run": _profile(size["full_build"][-1])},
        "nightly": _summary_of(size["nightly"])
        | {"profile_of_last_run": _profile(size["nightly"][-1])},
        "floor": _summary_of(floor_runs)
        | {
            "load_seconds": _spread([r["load_s"] for r in floor_runs]),
            "transform_seconds": _spread([r["transform_s"] for r in floor_runs]),
            "slowest_models_of_last_run": sorted(
                floor_runs[-1]["models"].items(), key=lambda kv: -kv[1]
            )[:8],
        },
        "pandas": _summary_of(size["pandas"]),
        "duckdb_script": _summary_of(size["duckdb_script"]),
    }


def merge_results(run: dict, sizes: dict, previous: dict | None) -> dict:
    """This run's sizes over the previous results' other sizes; targets re-checked.

    `make bench BENCH_ARGS="--sizes 1M"` thus refreshes the 1M row and keeps 10M.
    """
    merged_sizes = dict((previous or {}).get("sizes", {}))
    merged_sizes.update(sizes)
    order = [label for label in config.SIZES if label in merged_sizes]
    results = dict(run) | {"sizes": {label: merged_sizes[label] for label in order}}
    results["targets"] = check_targets(results)
    return results


def _profile(run: dict) -> dict:
    return {
        "dagster_run_seconds": run.get("dagster_run_seconds"),
        "steps_seconds": run.get("steps", {}),
        "dbt_seconds_by_node_type": run.get("dbt_nodes_seconds", {}),
        "dbt_slowest_nodes": run.get("dbt_slowest", []),
        "analytics_stage_seconds": run.get("analytics_stage_seconds"),
    }


def _median(results: dict, label: str, what: str, key: str = "seconds") -> float | None:
    size = results["sizes"].get(label)
    return size[what][key]["median"] if size else None


def _ratio(a: float | None, b: float | None) -> float | None:
    return round(a / b, 3) if a is not None and b else None


def check_targets(results: dict) -> list[dict]:
    t = config.TARGETS
    full_10, full_1 = _median(results, "10M", "full_build"), _median(results, "1M", "full_build")
    checks = [
        ("full build / floor at 10M", _ratio(full_10, _median(results, "10M", "floor")),
         "<=", t["full_vs_floor_10M_max"]),
        ("nightly run / full build at 10M", _ratio(_median(results, "10M", "nightly"), full_10),
         "<=", t["incremental_share_10M_max"]),
        ("peak RSS of the full build at 10M (GiB)",
         _median(results, "10M", "full_build", "peak_rss_gib"), "<=", t["peak_rss_10M_max_gib"]),
        ("full build time(10M) / time(1M)", _ratio(full_10, full_1),
         "<=", t["scaling_10M_vs_1M_max"]),
        ("definitions load (s)", round(results["definitions_load"]["import_s"], 2),
         "<=", t["definitions_load_max_s"]),
    ]  # fmt: skip
    return [
        {
            "target": name,
            "value": value,
            "limit": f"{op} {limit}",
            "met": None if value is None else (value <= limit if op == "<=" else value >= limit),
        }
        for name, value, op, limit in checks
    ]


def _fmt(spread: dict, unit: str = "s") -> str:
    if spread["n"] == 1:
        return f"{spread['median']:.1f} {unit}"
    return f"{spread['median']:.1f} {unit} ({spread['min']:.1f}–{spread['max']:.1f})"


# the Dagster step of the analytics stage (ka_pipeline/defs/analytics): always shown, so its
# time at each size is in the table even when it is not among the slowest steps
ANALYTICS_STEP = "analytics_models"


def _step_seconds(steps: dict[str, float], step: str) -> str:
    return f"{steps[step]:.1f} s" if step in steps else "not in this run"


def _stage_seconds(seconds: float | None) -> str:
    """The stage's own fitting and writing time, without the step's Dagster overhead."""
    return "" if seconds is None else f" (of which fitting and writing {seconds:.1f} s)"


def _optional(size: dict, what: str) -> str:
    """A comparator's time, or a dash for results recorded before it existed."""
    return _fmt(size[what]["seconds"]) if what in size else "–"


def _comparator_ratios(size: dict) -> list[tuple[str, float | str]]:
    full = size["full_build"]["seconds"]["median"]
    ratios = [
        ("full build / floor", _ratio(full, size["floor"]["seconds"]["median"])),
        ("full build / pandas", _ratio(full, size["pandas"]["seconds"]["median"])),
    ]
    if "duckdb_script" in size:
        script = size["duckdb_script"]["seconds"]["median"]
        ratios += [
            ("full build / DuckDB script", _ratio(full, script)),
            ("floor / DuckDB script", _ratio(size["floor"]["seconds"]["median"], script)),
            ("pandas / DuckDB script", _ratio(size["pandas"]["seconds"]["median"], script)),
        ]
    return ratios


def results_markdown(results: dict) -> str:
    m = results["machine"]
    lines = [
        f"Last run `{results['command']}` at {results['generated_at']} "
        f"({results['wall_minutes']} min). Medians of the runs per size (column n), "
        "min–max in brackets.",
        "",
        f"Machine: {m['cpu']}, {m['cores']} cores, {m['memory_gib']} GiB RAM, {m['os']}; "
        f"load average at start {m['load_average_at_start']} (shared machine). "
        f"DuckDB memory_limit {m['duckdb_memory_limit']}, threads {m['duckdb_threads']}. "
        + ", ".join(f"{k} {v}" for k, v in m["versions"].items())
        + ".",
        "",
        "| size | order lines | n | measured | full build | nightly run (1 day) "
        "| floor (bare DuckDB) | pandas (3 marts) | DuckDB script (3 marts) "
        "| peak RSS full build |",
        "|---|---:|---:|---|---:|---:|---:|---:|---:|---:|",
    ]
    for label, size in results["sizes"].items():
        lines.append(
            f"| {label} | {size['order_lines']:,} | {size['repeat']} | {size['measured_at'][:16]} "
            f"| {_fmt(size['full_build']['seconds'])} "
            f"| {_fmt(size['nightly']['seconds'])} | {_fmt(size['floor']['seconds'])} "
            f"| {_fmt(size['pandas']['seconds'])} "
            f"| {_optional(size, 'duckdb_script')} "
            f"| {_fmt(size['full_build']['peak_rss_gib'], 'GiB')} |"
        )
    lines += [
        "",
        "Peak RSS of the process tree (GiB): "
        + "; ".join(
            f"{label}: full build {size['full_build']['peak_rss_gib']['median']:.2f}, "
            f"nightly {size['nightly']['peak_rss_gib']['median']:.2f}, "
            f"floor {size['floor']['peak_rss_gib']['median']:.2f}, "
            f"pandas {size['pandas']['peak_rss_gib']['median']:.2f}"
            + (
                f", DuckDB script {size['duckdb_script']['peak_rss_gib']['median']:.2f}"
                if "duckdb_script" in size
                else ""
            )
            for label, size in results["sizes"].items()
        )
        + ".",
    ]
    lines += [
        "",
        "Comparators as plain ratios (medians; no limit): "
        + "; ".join(
            f"{label}: " + ", ".join(f"{name} {value}" for name, value in _comparator_ratios(size))
            for label, size in results["sizes"].items()
        )
        + ".",
    ]
    d = results["definitions_load"]
    lines += [
        "",
        f"Definitions load (fresh interpreter, prepared manifest): import "
        f"{d['import_s']:.2f} s, whole process {d['process_s']:.2f} s (median).",
        "",
        "| target | value | limit | met |",
        "|---|---:|---:|---|",
    ]
    for check in results["targets"]:
        met = {True: "yes", False: "**no**", None: "not measured"}[check["met"]]
        lines.append(f"| {check['target']} | {check['value']} | {check['limit']} | {met} |")
    for label, size in results["sizes"].items():
        full, floor = size["full_build"]["profile_of_last_run"], size["floor"]
        steps = sorted(full["steps_seconds"].items(), key=lambda kv: -kv[1])[:6]
        lines += [
            "",
            f"Where the time goes at {label} (last run): Dagster run "
            f"{full['dagster_run_seconds'] or 0:.0f} s; steps "
            + ", ".join(f"`{k}` {v:.0f} s" for k, v in steps)
            + "; dbt by node type "
            + ", ".join(f"{k} {v:.0f} s" for k, v in full["dbt_seconds_by_node_type"].items())
            + "; slowest dbt nodes "
            + ", ".join(f"`{n.split('.')[-1]}` {s:.1f} s" for n, s in full["dbt_slowest_nodes"][:5])
            + f"; analytics stage `{ANALYTICS_STEP}` "
            + _step_seconds(full["steps_seconds"], ANALYTICS_STEP)
            + _stage_seconds(full.get("analytics_stage_seconds"))
            + f". Floor: load {_fmt(floor['load_seconds'])}, transform "
            f"{_fmt(floor['transform_seconds'])}; slowest models "
            + ", ".join(
                f"`{n.split('.')[-1]}` {s:.1f} s"
                for n, s in floor["slowest_models_of_last_run"][:5]
            )
            + ".",
        ]
        nightly = size["nightly"]["profile_of_last_run"]
        night_steps = sorted(nightly["steps_seconds"].items(), key=lambda kv: -kv[1])[:4]
        lines.append(
            f"Nightly run at {label}: "
            + ", ".join(f"`{k}` {v:.0f} s" for k, v in night_steps)
            + "; dbt by node type "
            + ", ".join(f"{k} {v:.0f} s" for k, v in nightly["dbt_seconds_by_node_type"].items())
            + "."
        )
    return "\n".join(lines)


def write_markdown(results: dict, path: Path) -> None:
    """Replace the results section of `path` (create the file around it if needed)."""
    section = f"{START_MARK}\n{results_markdown(results)}\n{END_MARK}"
    text = path.read_text() if path.exists() else f"# Benchmarks\n\n{START_MARK}\n{END_MARK}\n"
    if START_MARK not in text or END_MARK not in text:
        text = text.rstrip() + f"\n\n{START_MARK}\n{END_MARK}\n"
    before, rest = text.split(START_MARK, 1)
    after = rest.split(END_MARK, 1)[1]
    path.write_text(before + section + after)
