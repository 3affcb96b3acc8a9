"""Dagster definitions, one sub-package per concern (extract, dbt, ...)."""
