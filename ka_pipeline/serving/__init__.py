"""BI serving: publish consistent releases of the marts that BI tools read while the
nightly build writes the warehouse (pure Python + DuckDB, no Dagster).

Layout and guarantees: see `ka_pipeline/serving/area.py` and the README section
"Connecting a BI tool".
"""

from ka_pipeline.serving.area import (
    MANIFEST_NAME,
    SERVING_DB_NAME,
    ReleaseInfo,
    ServingArea,
    ServingError,
)
from ka_pipeline.serving.publish import PublishedRelease, publish_release
from ka_pipeline.serving.retention import prune_releases
from ka_pipeline.serving.rollback import Rollback, rollback
from ka_pipeline.serving.tables import SERVED_TABLES, PersonalDataError, ServedTable
from ka_pipeline.serving.verify import release_problems

__all__ = [
    "MANIFEST_NAME",
    "SERVED_TABLES",
    "SERVING_DB_NAME",
    "PersonalDataError",
    "PublishedRelease",
    "ReleaseInfo",
    "Rollback",
    "ServedTable",
    "ServingArea",
    "ServingError",
    "prune_releases",
    "publish_release",
    "release_problems",
    "rollback",
]
