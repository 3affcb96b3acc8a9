"""Where releases are published (bound from KA_OUTPUT_DIR and KA_SERVING_KEEP_RELEASES)."""

from pathlib import Path

from dagster import ConfigurableResource

from ka_pipeline.settings import Settings


class ServingResource(ConfigurableResource):
    """The serving area (`<output_dir>/serving`) and how many releases it keeps."""

    serving_dir: str
    keep_releases: int = 7

    @property
    def path(self) -> Path:
        return Path(self.serving_dir)


def publish_resources(settings: Settings) -> dict:
    return {
        "serving": ServingResource(
            serving_dir=str(settings.serving_dir), keep_releases=settings.serving_keep_releases
        )
    }
