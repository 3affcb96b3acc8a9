"""Run tags this project reads and writes.

The `dagster/*` names are the tags Dagster documents for a run's partition and partition
range; they are spelled out here because Dagster exports no public constants for them.
"""

PARTITION_TAG = "dagster/partition"
PARTITION_RANGE_START_TAG = "dagster/asset_partition_range_start"
PARTITION_RANGE_END_TAG = "dagster/asset_partition_range_end"
# the business day a nightly run processes (set by the nightly schedule)
BUSINESS_DAY_TAG = "ka/business_day"


def partition_label(tags: dict[str, str]) -> str:
    """The run's partition, or `start..end` for a range, or `-`."""
    if PARTITION_TAG in tags:
        return tags[PARTITION_TAG]
    if PARTITION_RANGE_START_TAG in tags:
        return f"{tags[PARTITION_RANGE_START_TAG]}..{tags[PARTITION_RANGE_END_TAG]}"
    return "-"
