"""What a BI release contains: the BI-facing marts and the dimensions they join to, as
listed by the dbt exposure `bi_release`.

Facts, staging, quality and `dim_contacts` stay in the warehouse: BI tools get the marts
(already aggregated per account / month / rep / product / stage) and the conformed
dimensions to label and filter them. Personal data never leaves the warehouse: every
column name is checked against `PERSONAL_DATA_COLUMN` before anything is written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ka_pipeline.exposures import exposure_relations, exposure_source_relations


@dataclass(frozen=True)
class ServedTable:
    """One table of a release: `<schema>.<name>` in the warehouse and in the serving file."""

    schema: str
    name: str
    # False for the dbt sources of the exposure: tables written by the analytics stage
    # after dbt (ka_pipeline/analytics), which a dbt build on another engine does not make
    built_by_dbt: bool = True

    @property
    def qualified(self) -> str:
        return f"{self.schema}.{self.name}"

    @property
    def parquet_path(self) -> str:
        """Path of its Parquet file, relative to the release folder."""
        return f"parquet/{self.schema}/{self.name}.parquet"


# the models and sources of the dbt exposure `bi_release` (dbt_project/models/exposures.yml)
_SOURCES = set(exposure_source_relations("bi_release"))
SERVED_TABLES: tuple[ServedTable, ...] = tuple(
    ServedTable(schema, name, built_by_dbt=(schema, name) not in _SOURCES)
    for schema, name in exposure_relations("bi_release")
)

# Column names that would carry contact details (names, phones, e-mails, addresses, IDs).
# `has_phone` / `has_email` style flags are allowed: they say whether, not what.
PERSONAL_DATA_COLUMN = re.compile(
    r"^(?!has_|is_)(.*_)?(contact_name|contact_person|phone|mobile|tel|email|e_mail|wechat|"
    r"address|id_card|id_number)(_.*)?$",
    re.IGNORECASE,
)


class PersonalDataError(ValueError):
    """A table about to be published has a column that looks like personal data."""


def assert_no_personal_data(table: ServedTable, columns: list[str]) -> None:
    flagged = [c for c in columns if PERSONAL_DATA_COLUMN.match(c)]
    if flagged:
        raise PersonalDataError(
            f"{table.qualified}: column(s) {', '.join(flagged)} look like personal data "
            f"(rule PERSONAL_DATA_COLUMN in ka_pipeline/serving/tables.py); drop them in the "
            "dbt model or rename them if they are not personal data. Nothing was published."
        )
