"""Dagster definitions of the analytics stage (`analytics` group), the Dagster side of
`ka_pipeline/analytics/`; the asset is part of `full_build`, after dbt and before the BI
release."""

from ka_pipeline.defs.analytics.assets import ANALYTICS_GROUP, analytics_models

__all__ = ["ANALYTICS_GROUP", "analytics_models"]
