"""Retention: keep the newest N releases (KA_SERVING_KEEP_RELEASES) and the current one."""

from __future__ import annotations

from ka_pipeline.serving.area import SERVING_DB_NAME, ServingArea, in_use_by_reader


def prune_releases(area: ServingArea, keep: int) -> tuple[list[str], list[str]]:
    """Delete releases beyond the newest `keep` (call with the area's lock held).

    The current release is never deleted (after a rollback it may be older than the newest
    N), nor one a reader still has open: it is retried on the next publish. Returns
    (deleted release ids, release ids kept because a reader has them open).
    """
    releases = area.releases()
    protected = {r.release_id for r in releases[-keep:]} | {area.current_release_id()}
    deleted, in_use = [], []
    for release in releases:
        if release.release_id in protected:
            continue
        if in_use_by_reader(release.path / SERVING_DB_NAME):
            in_use.append(release.release_id)
            continue
        area.delete_release(release.path)
        deleted.append(release.release_id)
    return deleted, in_use
