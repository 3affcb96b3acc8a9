"""The landing-area contract: which files each source system delivers, and their columns.

One place that the sample-data generator writes to, the extraction assets read from and
the dbt sources describe. Every column is delivered as text; typing happens in dbt staging
so that a bad value is quarantined with its reason instead of failing the load.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path


@dataclass(frozen=True)
class SourceEntity:
    """One exported entity of a source system (e.g. the ERP's daily orders file)."""

    system: str  # crm | erp | feedback
    name: str  # plural entity name, e.g. "orders"
    columns: tuple[str, ...]  # canonical column names, in export order
    required: tuple[str, ...]  # columns whose absence makes the file unloadable
    file_format: str  # csv | jsonl
    daily: bool  # one file per business day (True) or one full snapshot (False)
    description: str
    # columns a source may deliver besides `columns` (the generator's files lack them)
    optional: tuple[str, ...] = ()

    @property
    def raw_columns(self) -> tuple[str, ...]:
        """Every canonical column of the raw table: the export columns, then the optional."""
        return (*self.columns, *self.optional)

    @property
    def key(self) -> str:
        """`crm/accounts`: also the Dagster asset key path below `raw` and the dbt source."""
        return f"{self.system}/{self.name}"

    @property
    def table(self) -> str:
        """Table name in the warehouse's `raw` schema, e.g. `crm__accounts`."""
        return f"{self.system}__{self.name}"

    @property
    def extension(self) -> str:
        return "jsonl" if self.file_format == "jsonl" else self.file_format

    @property
    def path_pattern(self) -> str:
        """Landing path relative to the landing dir, e.g. `erp/orders/orders_YYYY-MM-DD.csv`."""
        if not self.daily:
            return f"{self.system}/{self.name}.{self.extension}"
        return f"{self.system}/{self.name}/{self.name}_YYYY-MM-DD.{self.extension}"

    def path_for(self, landing_dir: Path, day: date | None = None) -> Path:
        """Where the export for `day` (or the snapshot, for non-daily entities) lands."""
        if not self.daily:
            return landing_dir / self.system / f"{self.name}.{self.extension}"
        if day is None:
            raise ValueError(f"{self.key} is delivered daily: a business day is required")
        return (
            landing_dir
            / self.system
            / self.name
            / f"{self.name}_{day.isoformat()}.{self.extension}"
        )


def _entity(
    system, name, columns, required, file_format, daily, description, optional=""
) -> SourceEntity:
    return SourceEntity(
        system=system,
        name=name,
        columns=tuple(columns.split()),
        required=tuple(required.split()),
        file_format=file_format,
        daily=daily,
        description=description,
        optional=tuple(optional.split()),
    )


ENTITIES: tuple[SourceEntity, ...] = (
    _entity(
        "crm",
        "accounts",
        "account_id account_name industry province city employee_count annual_revenue_cny "
        "founded_year owner_rep_id created_at updated_at",
        "account_id updated_at",
        "csv",
        True,
        "CRM account changes of the day: one row per account created or updated (a new "
        "version of its attributes, e.g. a new owner rep or size).",
    ),
    _entity(
        "crm",
        "contacts",
        "contact_id account_id contact_name role phone email updated_at",
        "contact_id account_id",
        "csv",
        True,
        "CRM contact changes of the day. Holds personal data (name, phone, email), which "
        "never leaves the raw and staging layers.",
    ),
    _entity(
        "crm",
        "sales_reps",
        "rep_id rep_name team region hire_date is_active",
        "rep_id",
        "csv",
        False,
        "Full export of the sales team: one row per rep.",
    ),
    _entity(
        "crm",
        "opportunities",
        "opportunity_id account_id rep_id opportunity_name stage amount_cny "
        "expected_close_date stage_changed_at lost_reason",
        "opportunity_id stage stage_changed_at",
        "csv",
        True,
        "Opportunity stage changes of the day: one row each time an opportunity enters a "
        "stage (lead, needs_confirmed, proposal, negotiation, won, lost).",
    ),
    _entity(
        "crm",
        "activities",
        "activity_id account_id rep_id activity_type activity_at duration_minutes",
        "activity_id account_id",
        "csv",
        True,
        "Sales activities of the day: visits, calls, emails and events attended.",
    ),
    _entity(
        "erp",
        "products",
        "product_id product_name category product_line list_price_cny unit_cost_cny launched_date",
        "product_id",
        "csv",
        False,
        "Full export of the product catalogue.",
    ),
    _entity(
        "erp",
        "orders",
        "order_id account_id rep_id order_date channel status",
        "order_id account_id order_date",
        "csv",
        True,
        "Orders booked on the business day (status completed, cancelled or returned). "
        "`order_amount_cny` is optional: an export without order lines delivers the order's "
        "amount there, and staging then derives one order-level line from it.",
        optional="order_amount_cny",
    ),
    _entity(
        "erp",
        "order_lines",
        "order_id line_no product_id quantity unit_price_cny discount_pct unit_cost_cny",
        "order_id line_no product_id quantity unit_price_cny",
        "csv",
        True,
        "Lines of the orders booked on the business day.",
    ),
    _entity(
        "erp",
        "invoices",
        "invoice_id order_id account_id invoice_date due_date invoice_amount_cny",
        "invoice_id account_id invoice_amount_cny",
        "csv",
        True,
        "Invoices issued on the business day.",
    ),
    _entity(
        "erp",
        "payments",
        "payment_id invoice_id payment_date paid_amount_cny",
        "payment_id invoice_id paid_amount_cny",
        "csv",
        True,
        "Payments received on the business day, each against one invoice.",
    ),
    _entity(
        "feedback",
        "surveys",
        "survey_id account_id submitted_at satisfaction_score nps_score comment",
        "survey_id account_id",
        "jsonl",
        True,
        "Satisfaction surveys answered on the day (score 1-5, NPS 0-10).",
    ),
    _entity(
        "feedback",
        "complaints",
        "complaint_id account_id created_at category severity description",
        "complaint_id account_id",
        "jsonl",
        True,
        "Complaints logged on the day.",
    ),
    _entity(
        "feedback",
        "tickets",
        "ticket_id account_id opened_at first_response_at resolved_at severity channel",
        "ticket_id account_id opened_at",
        "jsonl",
        True,
        "Service tickets resolved on the day, with their open and first-response times.",
    ),
)

ENTITIES_BY_KEY: dict[str, SourceEntity] = {e.key: e for e in ENTITIES}

# What kind of value each canonical column holds (the others are text). A mapping file's
# entity-level date / timestamp / number formats apply to the columns of that kind.
DATE_COLUMNS = frozenset(
    [
        "hire_date",
        "expected_close_date",
        "launched_date",
        "order_date",
        "invoice_date",
        "due_date",
        "payment_date",
    ]
)
TIMESTAMP_COLUMNS = frozenset(
    [
        "created_at",
        "updated_at",
        "stage_changed_at",
        "activity_at",
        "submitted_at",
        "opened_at",
        "first_response_at",
        "resolved_at",
    ]
)
NUMBER_COLUMNS = frozenset(
    [
        "employee_count",
        "annual_revenue_cny",
        "founded_year",
        "amount_cny",
        "duration_minutes",
        "list_price_cny",
        "unit_cost_cny",
        "order_amount_cny",
        "line_no",
        "quantity",
        "unit_price_cny",
        "discount_pct",
        "invoice_amount_cny",
        "paid_amount_cny",
        "satisfaction_score",
        "nps_score",
    ]
)


def column_kind(column: str) -> str:
    """`date`, `timestamp`, `number` or `text`: how a mapping parses the column."""
    if column in DATE_COLUMNS:
        return "date"
    if column in TIMESTAMP_COLUMNS:
        return "timestamp"
    if column in NUMBER_COLUMNS:
        return "number"
    return "text"


# Lineage columns the extraction adds to every raw row.
LINEAGE_COLUMNS: tuple[str, ...] = (
    "_source_file",  # path of the delivered file, relative to the landing dir
    "_row_number",  # 1-based data row number in that file (header excluded)
    "_file_sha256",  # checksum of the delivered file's bytes
    "_partition_date",  # business day the file was delivered for (null for snapshots)
    "_loaded_at",  # when the extraction loaded it (UTC)
)
