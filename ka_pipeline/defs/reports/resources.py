"""Where the reports are written (bound from the settings' KA_OUTPUT_DIR and KA_TIMEZONE)."""

from pathlib import Path

from dagster import ConfigurableResource

from ka_pipeline.settings import Settings


class ReportOutput(ConfigurableResource):
    """The report output root (`<output_dir>/reports/<week>/...`) and the business timezone."""

    output_dir: str
    timezone: str = "Asia/Shanghai"

    @property
    def path(self) -> Path:
        return Path(self.output_dir)


def report_resources(settings: Settings) -> dict:
    return {
        "report_output": ReportOutput(
            output_dir=str(settings.output_dir), timezone=settings.timezone
        )
    }
