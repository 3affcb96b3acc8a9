"""The days a run is about, passed to dbt as the incremental facts' window.

A run of the extraction partitions (one month key, or a range of them for a backfill)
processes the days of those months; dbt gets them as `min_date` / `max_date` vars, so the
incremental facts replace only those days (plus the overlap buffer and late rows, see
dbt_project/macros/incremental/). The end is capped at the run's business day (tag
`ka/business_day`, set by the nightly schedule) or else at yesterday in the business
timezone: days not yet delivered hold nothing to replace. A run without partition tags
(a plain materialization, a full refresh) gets no window: dbt builds everything.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from ka_pipeline.defs.tags import (
    BUSINESS_DAY_TAG,
    PARTITION_RANGE_END_TAG,
    PARTITION_RANGE_START_TAG,
    PARTITION_TAG,
)


@dataclass(frozen=True)
class DbtWindow:
    min_date: date
    max_date: date
    business_day: date | None = None  # the nightly run's day: the delivered_* tests' batch

    def as_vars(self) -> dict[str, str]:
        days = {"min_date": self.min_date.isoformat(), "max_date": self.max_date.isoformat()}
        if self.business_day is not None:
            days["batch_first_day"] = min(self.business_day, self.max_date).isoformat()
        return days


def _month_end(first_day: date) -> date:
    next_month = (first_day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return next_month - timedelta(days=1)


def _partition_date(tag: str, key: str) -> date:
    try:
        return date.fromisoformat(key)
    except ValueError:
        raise ValueError(f"run tag {tag}={key!r} is not a date YYYY-MM-DD") from None


def window_from_tags(tags: Mapping[str, str], yesterday: date) -> DbtWindow | None:
    """The days of the run's month partition(s), capped; None for an unpartitioned run."""
    if PARTITION_RANGE_START_TAG in tags:
        first_key = PARTITION_RANGE_START_TAG
        last_key = PARTITION_RANGE_END_TAG
    elif PARTITION_TAG in tags:
        first_key = last_key = PARTITION_TAG
    else:
        return None
    first = _partition_date(first_key, tags[first_key])
    last = _month_end(_partition_date(last_key, tags[last_key]))
    business_day = (
        _partition_date(BUSINESS_DAY_TAG, tags[BUSINESS_DAY_TAG])
        if BUSINESS_DAY_TAG in tags
        else None
    )
    return DbtWindow(first, max(first, min(last, business_day or yesterday)), business_day)
