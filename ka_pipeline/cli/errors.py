"""The failures `ka-pipeline` expects, each one message and one documented exit code.

| code | meaning |
|---:|---|
| 0 | done |
| 1 | the run failed: a step, a quality gate or a data rule stopped it (the message names it) |
| 2 | usage or configuration: a bad setting, parameter, mapping file or date range |
| 3 | environment not ready: another process holds the warehouse, the dbt manifest is missing |
| 70 | an internal error (a bug): the message says so; `--verbose` shows the traceback |
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_RUN_FAILED = 1
EXIT_USAGE = 2
EXIT_ENVIRONMENT = 3
EXIT_INTERNAL = 70


class CliError(Exception):
    """An expected failure: printed as `ka-pipeline: <message>`, never as a traceback."""

    def __init__(self, message: str, exit_code: int = EXIT_USAGE):
        super().__init__(message)
        self.exit_code = exit_code
