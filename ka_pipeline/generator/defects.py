"""Defects injected into the delivered files, per entity, at a rate set by `defects`.

Each kind is applied to a share of rows equal to `defects * weight`; at most one value
defect per row, and duplicates / re-sends only copy rows without a value defect, so the
summary's counts are exact: every injected defect is counted once per affected row.

| kind | entities | what the file holds | loads? |
|---|---|---|---|
| duplicate_row | every daily entity | a row repeated right after itself | dedupe |
| resent_rows | orders, lines, invoices, payments, activities, surveys | rows of the previous day's file appended again (clean values) | dedupe |
| missing_key | orders (order_id / account_id ""), surveys (account_id null or "") | | quarantine |
| orphan_account | orders, surveys | account_id `A9` + 7 digits, in no CRM file | inferred member |
| orphan_order_line | order_lines | extra line whose order_id (`O<yyyymmdd>-9xxxxx`) exists nowhere | quarantine |
| bad_quantity | order_lines | `0`, negative or `N/A` | quarantine |
| thousands_separator | order_lines price, invoices, payments | `12,345.60` (quoted) | loads |
| date_format | orders (all four), invoices (valid only) | `2024/01/05`, `20240105` load; `05/01/2024`, `2024-02-30` | quarantine the last two |
| future_date | orders | order_date 400-2000 days after the file's day | quarantine |
| score_out_of_range | surveys | satisfaction 0/6/7 or nps 11/-1 | quarantine |
| messy_dimension | accounts (industry, province); orders (status, channel) and opportunities (stage) as Chinese aliases of enum_aliases.csv | | loads |
| unknown_enum | orders status `pending_review`, opportunities stage `on_hold` | | quarantine |
"""  # noqa: E501

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ka_pipeline.generator.reference import (
    ENUM_ALIASES_ZH,
    INDUSTRIES,
    PROVINCES,
    UNKNOWN_ORDER_STATUS,
    UNKNOWN_STAGE,
    province_variants,
)

Row = dict[str, object]


@dataclass(frozen=True)
class DayContext:
    day: int  # day offset of the file
    iso: Callable[[int], str]  # day offset -> YYYY-MM-DD
    ymd: str  # the file's day as yyyymmdd


Apply = Callable[[Row, np.random.Generator, DayContext], "str | None"]

KINDS = (
    "duplicate_row",
    "resent_rows",
    "missing_key",
    "orphan_account",
    "orphan_order_line",
    "bad_quantity",
    "thousands_separator",
    "date_format",
    "future_date",
    "score_out_of_range",
    "messy_dimension",
    "unknown_enum",
)

DUPLICATE_WEIGHT = 0.2  # share of clean rows repeated (times the rate)
RESEND_DAY_WEIGHT = 2.0  # share of days whose file re-sends part of the previous day's
RESEND_SHARE = (0.05, 0.25)  # share of the previous day's rows re-sent
ORPHAN_LINE_WEIGHT = 0.05  # extra orphan lines per delivered line
RESEND_ENTITIES = frozenset(
    {"orders", "order_lines", "invoices", "payments", "activities", "surveys"}
)

_PADDINGS = ("{} ", " {}", "\u3000{}", "{}\u3000", "  {} ")
_INDUSTRY_MESSY = {
    zh: (en, en.upper(), en.lower(), *aliases) for _, zh, en, _, _, aliases in INDUSTRIES
}
_PROVINCE_MESSY = {zh: province_variants(en, full) for _, zh, en, _, full, _, _ in PROVINCES}
_STATUS_ZH = ENUM_ALIASES_ZH["order_status"]
_CHANNEL_ZH = ENUM_ALIASES_ZH["order_channel"]
_STAGE_ZH = ENUM_ALIASES_ZH["opportunity_stage"]


def _pick(rng: np.random.Generator, options) -> object:
    return options[int(rng.integers(0, len(options)))]


def messy_label(value: str, variants: tuple[str, ...], rng: np.random.Generator) -> str:
    """Another spelling of a canonical label: variant spelling and/or case and padding."""
    choice = _pick(rng, (value, *variants))
    if choice == value or rng.random() < 0.3:
        choice = str(_pick(rng, _PADDINGS)).format(choice)
    return choice


def _orphan_account(rng: np.random.Generator) -> str:
    return f"A9{int(rng.integers(0, 10**7)):07d}"


def _date_variant(iso: str, rng: np.random.Generator, valid_only: bool) -> tuple[str, str]:
    y, m, d = iso[:4], iso[5:7], iso[8:10]
    variants = ("slash", "compact") if valid_only else ("slash", "compact", "dmy", "impossible")
    p = None if valid_only else (0.35, 0.35, 0.15, 0.15)
    kind = variants[int(rng.choice(len(variants), p=p))]
    if kind == "slash":
        return f"{y}/{m}/{d}", kind
    if kind == "compact":
        return f"{y}{m}{d}", kind
    if kind == "dmy":
        return f"{d}/{m}/{y}", kind
    bad_day = "30" if m == "02" else "31" if m in ("04", "06", "09", "11") else "32"
    return f"{y}-{m}-{bad_day}", kind


def _with_thousands(amount: str) -> str:
    whole, _, frac = amount.partition(".")
    return f"{int(whole):,}.{frac}"


# ------------------------------------------------------------------------ value defects
def orders_missing_key(row: Row, rng, ctx: DayContext) -> str:
    col = "order_id" if rng.random() < 0.5 else "account_id"
    row[col] = ""
    return col


def orders_orphan(row: Row, rng, ctx: DayContext) -> str:
    row["account_id"] = _orphan_account(rng)
    return "account_id"


def orders_date_format(row: Row, rng, ctx: DayContext) -> str:
    row["order_date"], variant = _date_variant(str(row["order_date"]), rng, valid_only=False)
    return variant


def invoices_date_format(row: Row, rng, ctx: DayContext) -> str:
    row["invoice_date"], variant = _date_variant(str(row["invoice_date"]), rng, valid_only=True)
    return variant


def orders_unknown_enum(row: Row, rng, ctx: DayContext) -> str:
    row["status"] = UNKNOWN_ORDER_STATUS
    return "status"


def orders_enum_alias(row: Row, rng, ctx: DayContext) -> str:
    if rng.random() < 0.5:
        row["status"] = _STATUS_ZH[str(row["status"])]
        return "status_alias"
    row["channel"] = _CHANNEL_ZH[str(row["channel"])]
    return "channel_alias"


def lines_bad_quantity(row: Row, rng, ctx: DayContext) -> str:
    variant = _pick(rng, ("zero", "negative", "non_numeric"))
    row["quantity"] = {"zero": "0", "negative": f"-{row['quantity']}", "non_numeric": "N/A"}[
        variant
    ]
    return variant


def _thousands(column: str) -> Apply:
    def apply(row: Row, rng, ctx: DayContext) -> str | None:
        value = str(row[column])
        if float(value) < 1000:
            return None  # nothing to separate: the row stays clean
        row[column] = _with_thousands(value)
        return column

    return apply


def surveys_missing_key(row: Row, rng, ctx: DayContext) -> str:
    if rng.random() < 0.5:
        row["account_id"] = None
        return "null"
    row["account_id"] = ""
    return "empty"


def surveys_orphan(row: Row, rng, ctx: DayContext) -> str:
    row["account_id"] = _orphan_account(rng)
    return "account_id"


def surveys_score(row: Row, rng, ctx: DayContext) -> str:
    if rng.random() < 0.6:
        row["satisfaction_score"] = int(_pick(rng, (0, 6, 7)))
        return "satisfaction_score"
    row["nps_score"] = int(_pick(rng, (11, -1)))
    return "nps_score"


def accounts_messy(row: Row, rng, ctx: DayContext) -> str:
    if rng.random() < 0.5:
        row["industry"] = messy_label(str(row["industry"]), _INDUSTRY_MESSY[row["industry"]], rng)
        return "industry"
    row["province"] = messy_label(str(row["province"]), _PROVINCE_MESSY[row["province"]], rng)
    return "province"


def opportunities_unknown_enum(row: Row, rng, ctx: DayContext) -> str:
    row["stage"] = UNKNOWN_STAGE
    return "stage"


def opportunities_alias(row: Row, rng, ctx: DayContext) -> str:
    row["stage"] = _STAGE_ZH[str(row["stage"])]
    return "stage_alias"


def orders_future_date(row: Row, rng, ctx: DayContext) -> str:
    row["order_date"] = ctx.iso(ctx.day + int(rng.integers(400, 2001)))
    return "order_date"


@dataclass(frozen=True)
class ValueDefect:
    kind: str
    weight: float
    apply: Apply


VALUE_DEFECTS: dict[str, tuple[ValueDefect, ...]] = {
    "accounts": (ValueDefect("messy_dimension", 2.0, accounts_messy),),
    "opportunities": (
        ValueDefect("unknown_enum", 0.2, opportunities_unknown_enum),
        ValueDefect("messy_dimension", 0.2, opportunities_alias),
    ),
    "orders": (
        ValueDefect("missing_key", 0.1, orders_missing_key),
        ValueDefect("orphan_account", 0.1, orders_orphan),
        ValueDefect("date_format", 0.2, orders_date_format),
        ValueDefect("future_date", 0.05, orders_future_date),
        ValueDefect("unknown_enum", 0.1, orders_unknown_enum),
        ValueDefect("messy_dimension", 0.1, orders_enum_alias),
    ),
    "order_lines": (
        ValueDefect("bad_quantity", 0.1, lines_bad_quantity),
        ValueDefect("thousands_separator", 0.3, _thousands("unit_price_cny")),
    ),
    "invoices": (
        ValueDefect("thousands_separator", 0.3, _thousands("invoice_amount_cny")),
        ValueDefect("date_format", 0.1, invoices_date_format),
    ),
    "payments": (ValueDefect("thousands_separator", 0.2, _thousands("paid_amount_cny")),),
    "surveys": (
        ValueDefect("missing_key", 0.2, surveys_missing_key),
        ValueDefect("orphan_account", 0.2, surveys_orphan),
        ValueDefect("score_out_of_range", 0.6, surveys_score),
    ),
}


def orphan_line(template: Row, number: int, ctx: DayContext) -> Row:
    """An order line like `template` whose order does not exist anywhere (`number`: 1..)."""
    row = dict(template)
    row["order_id"] = f"O{ctx.ymd}-9{number:05d}"
    row["line_no"] = "1"
    return row
