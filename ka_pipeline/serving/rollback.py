"""Switch `current` back to an earlier release (`ka-pipeline rollback [--to RELEASE_ID]`)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ka_pipeline.serving.area import ReleaseInfo, ServingArea, ServingError
from ka_pipeline.serving.verify import assert_release_intact


@dataclass(frozen=True)
class Rollback:
    from_release_id: str | None
    to_release: ReleaseInfo


def rollback(serving_dir: Path, to_release_id: str | None = None) -> Rollback:
    """Make `to_release_id` current, by default the newest release published before the
    current one. The target is checked against its manifest first; readers connected to the
    current release keep it until they reconnect."""
    area = ServingArea(Path(serving_dir))
    with area.lock():
        current = area.current_release_id()
        if to_release_id is not None:
            target = area.release(to_release_id)
        else:
            target = _previous(area, current)
        assert_release_intact(target.path, target.manifest)
        area.switch_current(target.release_id)
    return Rollback(current, target)


def _previous(area: ServingArea, current: str | None) -> ReleaseInfo:
    releases = area.releases()
    ids = [r.release_id for r in releases]
    if current not in ids:
        raise ServingError(
            f"{area.current_link}: no current release to roll back from; pass --to "
            f"(releases: {', '.join(ids) or 'none'})"
        )
    position = ids.index(current)
    if position == 0:
        raise ServingError(
            f"{current} is the oldest release kept in {area.releases_dir}; nothing older to "
            "roll back to (pass --to to pick a newer one)"
        )
    return releases[position - 1]
