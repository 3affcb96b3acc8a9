"""Freshness of the sources: how old the latest extraction of each source may get.

THE one place for the thresholds. Every source is re-extracted by the nightly run (02:00
business time, the previous business day for daily sources, the full export for snapshots),
so a healthy source is at most ~24 h old:

| source kind | WARN after | FAIL after | meaning |
|---|---|---|---|
| daily (orders, surveys, ...) | 36 h | 60 h | one nightly run missed / two missed |
| snapshot (sales reps, products) | 36 h | 60 h | same: snapshots are re-read every night |

Implemented with Dagster 1.13's first-class `FreshnessPolicy.time_window` on each
extraction asset: the asset page and the asset list show its freshness (pass / warn / fail)
and the daemon (`dagster dev`, or the deployment's daemon) evaluates it continuously, also
when no run happens, which is exactly when staleness matters. (The older freshness *checks*
`build_last_update_freshness_checks` need a sensor and carry one severity per check, so a
warn and a fail threshold would be two checks.) Freshness is time since the asset's last
materialization; a backfill of old days counts as a refresh, which is acceptable because
the nightly run always extracts the latest day.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta

from dagster import AssetsDefinition, AssetSpec, FreshnessPolicy, map_asset_specs


@dataclass(frozen=True)
class FreshnessThresholds:
    warn_after: timedelta
    fail_after: timedelta

    def policy(self) -> FreshnessPolicy:
        return FreshnessPolicy.time_window(fail_window=self.fail_after, warn_window=self.warn_after)


SOURCE_FRESHNESS: dict[str, FreshnessThresholds] = {
    "daily": FreshnessThresholds(warn_after=timedelta(hours=36), fail_after=timedelta(hours=60)),
    "snapshot": FreshnessThresholds(warn_after=timedelta(hours=36), fail_after=timedelta(hours=60)),
}


def source_freshness(spec: AssetSpec) -> FreshnessThresholds | None:
    """Thresholds for an extraction asset (`raw/...`), None for any other asset."""
    if spec.key.path[0] != "raw":
        return None
    return SOURCE_FRESHNESS["daily" if spec.partitions_def is not None else "snapshot"]


def with_source_freshness(
    assets: Iterable[AssetsDefinition | AssetSpec],
) -> Sequence[AssetsDefinition | AssetSpec]:
    """The extraction assets with their freshness policy attached (other assets unchanged)."""

    def attach(spec: AssetSpec) -> AssetSpec:
        thresholds = source_freshness(spec)
        if thresholds is None or spec.freshness_policy is not None:
            return spec
        return spec.replace_attributes(freshness_policy=thresholds.policy())

    return map_asset_specs(attach, list(assets))
