"""Landing sensor: a new or re-sent file for a day triggers a run for exactly its month.

The cursor is the newest file modification time seen; a file newer than it is new or
re-sent. The run key holds the day and the checksums of that day's files, so touching a
file without changing its content, or seeing it twice, never starts a second run.
"""

import hashlib
import json
import re
from collections import defaultdict
from datetime import date
from pathlib import Path

from dagster import (
    DefaultSensorStatus,
    RunRequest,
    SensorEvaluationContext,
    SensorResult,
    SkipReason,
    sensor,
)

from ka_pipeline.defs.partitions import month_key
from ka_pipeline.defs.resources import LandingArea
from ka_pipeline.landing.contract import ENTITIES

_DAY = re.compile(r"_(\d{4}-\d{2}-\d{2})\.[a-z]+$")


def changed_days(landing_dir: Path, since_ns: int) -> tuple[dict[str, list[Path]], int]:
    """Daily files modified after `since_ns`, grouped by business day; and the newest mtime."""
    changed: dict[str, list[Path]] = defaultdict(list)
    newest = since_ns
    for entity in ENTITIES:
        if not entity.daily:
            continue
        folder = landing_dir / entity.system / entity.name
        if not folder.is_dir():
            continue
        for path in folder.iterdir():
            match = _DAY.search(path.name)
            if not match:
                continue
            mtime = path.stat().st_mtime_ns
            newest = max(newest, mtime)
            if mtime > since_ns:
                changed[match.group(1)].append(path)
    return dict(changed), newest


def day_version(paths: list[Path]) -> str:
    digest = hashlib.sha256()
    for path in sorted(paths):
        digest.update(path.name.encode())
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()[:16]


@sensor(
    name="landing_files",
    job_name="full_build",
    minimum_interval_seconds=60,
    default_status=DefaultSensorStatus.STOPPED,
    description="Starts a run for each business day whose landing files are new or re-sent.",
)
def landing_files(
    context: SensorEvaluationContext, landing: LandingArea
) -> SensorResult | SkipReason:
    cursor = json.loads(context.cursor) if context.cursor else {"mtime_ns": 0}
    changed, newest = changed_days(landing.path, cursor["mtime_ns"])
    if not changed:
        return SkipReason("no new or re-sent landing files")
    by_month: dict[str, list[Path]] = defaultdict(list)
    for day, paths in changed.items():
        by_month[month_key(date.fromisoformat(day))].extend(paths)
    requests = [
        RunRequest(
            run_key=f"landing-{month}-{day_version(paths)}",
            partition_key=month,
            tags={"ka/trigger": "landing_sensor", "ka/changed_files": str(len(paths))},
        )
        for month, paths in sorted(by_month.items())
    ]
    return SensorResult(run_requests=requests, cursor=json.dumps({"mtime_ns": newest}))
