"""What a BI release contains: the BI-facing marts and the dimensions they join to.

Facts, staging, quality and `dim_contacts` stay in the warehouse: BI tools get the marts
(already aggregated per account / month / rep / product / stage) and the conformed
dimensions to label and filter them. Personal data never leaves the warehouse: every
column name is checked against `PERSONAL_DATA_COLUMN` before anything is written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class ServedTable:
    """One table of a release: `<schema>.<name>` in the warehouse and in the serving file."""

    schema: str
    name: str

    @property
    def qualified(self) -> str:
        return f"{self.schema}.{self.name}"

    @property
    def parquet_path(self) -> str:
        """Path of its Parquet file, relative to the release folder."""
        return f"parquet/{self.schema}/{self.name}.parquet"


SERVED_TABLES: tuple[ServedTable, ...] = (
    # KPIs
    ServedTable("marts", "mart_kpi_monthly"),
    ServedTable("marts", "mart_kpi_by_rep"),
    ServedTable("marts", "mart_kpi_by_product"),
    # segmentation
    ServedTable("marts", "mart_account_rfm"),
    ServedTable("marts", "mart_account_tiers"),
    ServedTable("marts", "mart_account_lifecycle"),
    # risk early warning
    ServedTable("marts", "mart_account_risk"),
    ServedTable("marts", "mart_account_risk_signals"),
    # funnel
    ServedTable("marts", "mart_funnel_stages"),
    ServedTable("marts", "mart_funnel_cycle_cross"),
    # lists
    ServedTable("marts", "mart_key_account_review"),
    ServedTable("marts", "mart_top_accounts"),
    # as-of date and every parameter the marts were built with
    ServedTable("marts", "mart_run_parameters"),
    # conformed dimensions (dim_accounts holds company attributes only, no contacts)
    ServedTable("core", "dim_accounts"),
    ServedTable("core", "dim_sales_reps"),
    ServedTable("core", "dim_products"),
    ServedTable("core", "dim_region"),
    ServedTable("core", "dim_date"),
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
