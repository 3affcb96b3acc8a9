"""The marts the weekly report reads: its only data source (and its Dagster dependencies).

The list is not kept here: it is the `depends_on` of the dbt exposure
`weekly_key_account_report` (dbt_project/models/exposures.yml), read from dbt's manifest
(built by `make setup`), so the report, its Dagster dependencies and dbt's lineage cannot
drift apart. A mart the report needs is added to the exposure.
"""

from __future__ import annotations

from ka_pipeline.exposures import exposure_relations

MARTS_SCHEMA = "marts"
REPORT_EXPOSURE = "weekly_key_account_report"

MARTS_READ: tuple[str, ...] = tuple(name for _, name in exposure_relations(REPORT_EXPOSURE))
