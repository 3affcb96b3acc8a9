"""Gives every dbt DuckDB connection the PII salt as the session variable `ka_pii_salt`.

The salt reaches SQL only through `getvariable('ka_pii_salt')` (macro `ka_salted_hash`):
it is bound as a parameter here, so it never appears in compiled SQL, dbt logs or the
model SQL Dagster shows.
"""

from __future__ import annotations

from pathlib import Path

from dbt.adapters.duckdb.plugins import BasePlugin

from ka_pipeline.secrets import pii_salt

SALT_VARIABLE = "ka_pii_salt"


class Plugin(BasePlugin):
    def initialize(self, plugin_config: dict) -> None:
        # the data directory comes from profiles.yml (KA_DATA_DIR, set by Settings.dbt_env)
        self._salt = pii_salt(Path(plugin_config["data_dir"]))

    def _set_salt(self, conn) -> None:
        conn.execute(f"set variable {SALT_VARIABLE} = ?", [self._salt])

    def configure_connection(self, conn) -> None:
        self._set_salt(conn)

    def configure_cursor(self, cursor) -> None:
        # variables are per connection: dbt runs each model on a cursor of its own
        self._set_salt(cursor)
