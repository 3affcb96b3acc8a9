"""Dagster definitions of the report delivery, the Dagster side of `ka_pipeline/delivery/`."""

from ka_pipeline.defs.delivery.assets import DELIVERY_KEY, build_delivery_asset

__all__ = ["DELIVERY_KEY", "build_delivery_asset"]
