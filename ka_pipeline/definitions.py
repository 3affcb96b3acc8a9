"""The code location (`dagster dev`, the daemon): the one place, besides the CLI, that
reads the environment. Everything else gets its settings from `build_definitions`."""

from ka_pipeline.defs.dbt.project import prepare_manifest_if_dev
from ka_pipeline.defs.definitions import build_definitions
from ka_pipeline.settings import Settings

settings = Settings.from_env()
prepare_manifest_if_dev(settings)
defs = build_definitions(settings)
