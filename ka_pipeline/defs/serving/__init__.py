"""Dagster definitions of the BI publish step (`publish` group), the Dagster side of
`ka_pipeline/serving/`; the asset is part of `full_build`.
"""

from ka_pipeline.defs.serving.assets import BI_RELEASE_KEY, PUBLISH_GROUP, bi_release

__all__ = ["BI_RELEASE_KEY", "PUBLISH_GROUP", "bi_release"]
