"""The marts the weekly report reads: its only data source (and its Dagster dependencies)."""

MARTS_SCHEMA = "marts"

MARTS_READ: tuple[str, ...] = (
    "mart_run_parameters",
    "mart_account_tiers",
    "mart_account_rfm",
    "mart_account_lifecycle",
    "mart_account_risk",
    "mart_account_risk_signals",
    "mart_kpi_monthly",
    "mart_kpi_by_product",
    "mart_top_accounts",
    "mart_funnel_stages",
    "mart_key_account_review",
)
