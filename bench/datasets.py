"""Generated data sets, cached under `.bench/datasets/<size>/landing` between runs.

A cached set is reused only when its generator summary records the same start, end, seed
and scale; anything else (an interrupted generation, changed parameters) is regenerated.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from bench import config

SUMMARY_FILE = "_generator_summary.json"


@dataclass(frozen=True)
class Dataset:
    size: config.Size
    landing_dir: Path
    summary: dict

    @property
    def order_lines(self) -> int:
        return int(self.summary["rows"]["erp/order_lines"])

    @property
    def landing_bytes(self) -> int:
        return sum(p.stat().st_size for p in self.landing_dir.rglob("*") if p.is_file())


def _is_current(summary_path: Path, size: config.Size) -> bool:
    if not summary_path.exists():
        return False
    summary = json.loads(summary_path.read_text())
    return (
        summary.get("start") == config.START.isoformat()
        and summary.get("end") == config.END.isoformat()
        and summary.get("seed") == config.SEED
        and float(summary.get("scale", -1)) == size.scale
    )


def ensure_dataset(size: config.Size, log=print) -> Dataset:
    """The cached data set of `size`, generated first if missing or stale."""
    root = config.CACHE_DIR / "datasets" / size.label
    landing = root / "landing"
    if not _is_current(landing / SUMMARY_FILE, size):
        shutil.rmtree(root, ignore_errors=True)
        log(f"[{size.label}] generating scale {size.scale:g} into {landing} ...")
        started = time.perf_counter()
        subprocess.run(
            [
                sys.executable, "-m", "ka_pipeline.cli", "generate",
                "--start", config.START.isoformat(), "--end", config.END.isoformat(),
                "--seed", str(config.SEED), "--scale", str(size.scale),
            ],
            env={**_env_without_ka(), "KA_DATA_DIR": str(root)},
            check=True,
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
        log(f"[{size.label}] generated in {time.perf_counter() - started:.0f} s")
    summary = json.loads((landing / SUMMARY_FILE).read_text())
    return Dataset(size, landing, summary)


def _env_without_ka() -> dict[str, str]:
    """The caller's environment minus KA_* paths, so nothing points at the repo's data/."""
    return {k: v for k, v in os.environ.items() if not k.startswith("KA_")}
