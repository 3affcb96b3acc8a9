"""Dagster definitions of the BI publish step (`publish` group): register `publish_assets`
and `publish_resources(settings)` in the code location; the asset is part of `full_build`.
"""

from ka_pipeline.defs.publish.assets import BI_RELEASE_KEY, PUBLISH_GROUP, publish_assets
from ka_pipeline.defs.publish.resources import ServingResource, publish_resources

__all__ = [
    "BI_RELEASE_KEY",
    "PUBLISH_GROUP",
    "ServingResource",
    "publish_assets",
    "publish_resources",
]
