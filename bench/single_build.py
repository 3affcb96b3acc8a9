"""One measured full build of a bench data set, outside `make bench` (settings experiments).

    .venv/bin/python -m bench.single_build 10M
    KA_DUCKDB_MEMORY_LIMIT=2GB .venv/bin/python -m bench.single_build 10M

A fresh workspace under .bench/runs/single_<size>, then `ka-pipeline run --no-report` as
`make bench` runs it; prints wall seconds, peak RSS of the process tree and the step and
dbt profile as one JSON line. Nothing is written to results.json or BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import json

from bench import config, pipeline
from bench.datasets import ensure_dataset
from bench.workspace import fresh_workspace


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("size", choices=sorted(config.SIZES))
    args = parser.parse_args(argv)
    dataset = ensure_dataset(config.SIZES[args.size])
    workspace = fresh_workspace(config.CACHE_DIR / "runs" / f"single_{args.size}", dataset)
    build = pipeline.full_build(workspace)
    print(
        json.dumps(
            {
                "size": args.size,
                "duckdb_memory_limit": workspace.settings.duckdb_memory_limit,
                "seconds": round(build.seconds, 1),
                "peak_rss_gib": round(build.peak_rss_bytes / 2**30, 2),
                **build.as_dict(),
            }
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
