"""The key-account review list for sales managers (key_account_review.xlsx).

One row per key account from `mart_key_account_review`, every column of the mart: the
readable columns first (names in the report's language, amounts, dates, the conclusion and
recommended action), then the codes, grouped and collapsed at the right. Sheets: all key
accounts, then one per region (or per owner team), then notes. Header frozen with the
account name, filters on, number formats on every numeric column.

The review mart carries Chinese names only for its dimensions; the English names come from
the marts that have them (mart_kpi_monthly for region / industry / size band,
mart_account_lifecycle, mart_account_tiers, mart_account_rfm, mart_account_risk_signals),
and the owner team from mart_account_risk, joined on the code or the account.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ka_pipeline.report import data as d
from ka_pipeline.report.i18n import Lang
from ka_pipeline.report.safe_text import spreadsheet_text
from ka_pipeline.report.weeks import ReportWeek

MONEY = "#,##0"
INT = "#,##0"
PCT = "0.0%"
SCORE = "0.00"
DATE = "yyyy-mm-dd"


@dataclass(frozen=True)
class Column:
    source: str  # a mart column, or <name> for a <name>_zh / <name>_en pair
    zh: str
    en: str
    kind: str = "text"  # text | money | int | pct | score | date | bool
    width: float = 12
    code: bool = False  # a code column: grouped and collapsed at the right

    def header(self, lang: Lang) -> str:
        return self.zh if lang.zh else self.en


REVIEW_COLUMNS: tuple[Column, ...] = (
    Column("review_priority", "优先级", "Priority", "int", 8),
    Column("account_name", "客户名称", "Account", "text", 30),
    Column("account_id", "客户编号", "Account ID", "text", 11),
    Column("region_name", "区域", "Region", "text", 9),
    Column("industry_name", "行业", "Industry", "text", 12),
    Column("size_band_name", "营收规模", "Revenue band", "text", 14),
    Column("employee_band_code", "人员规模", "Employees", "text", 11),
    Column("value_tier_name", "价值层级", "Value tier", "text", 11),
    Column("abc_class", "ABC", "ABC", "text", 6),
    Column("lifecycle_stage_name", "生命周期", "Lifecycle", "text", 10),
    Column("rfm_segment_name", "RFM 分群", "RFM segment", "text", 14),
    Column("is_high_value_loyal", "高价值忠诚", "High-value loyal", "bool", 10),
    Column("risk_level_name", "风险等级", "Risk level", "text", 9),
    Column("risk_score", "风险分", "Risk score", "int", 8),
    Column("risk_signal_names", "风险信号", "Risk signals", "text", 30),
    Column("action_name", "建议行动", "Recommended action", "text", 22),
    Column("conclusion", "结论与建议", "Conclusion", "text", 60),
    Column("first_order_date", "首次采购", "First purchase", "date", 12),
    Column("last_order_date", "最近采购", "Last purchase", "date", 12),
    Column("window_revenue_cny", "统计期收入(元)", "Revenue in window (CNY)", "money", 15),
    Column("total_revenue_cny", "累计收入(元)", "Total revenue (CNY)", "money", 15),
    Column("aov_cny", "客单价(元)", "Avg order value (CNY)", "money", 13),
    Column("purchase_count", "统计期采购次数", "Purchases in window", "int", 10),
    Column("lifetime_purchase_count", "累计采购次数", "Lifetime purchases", "int", 10),
    Column("repurchase_rate", "复购率", "Repurchase rate", "pct", 9),
    Column("satisfaction_avg", "满意度", "Satisfaction", "score", 9),
    Column("main_product_line", "主要产品线", "Main product line", "text", 12),
    Column("cross_sell_product_line", "交叉销售产品线", "Cross-sell line", "text", 12),
    Column("cross_sell_because_line", "因已购产品线", "Because it buys", "text", 12),
    Column("cross_sell_confidence", "交叉销售置信度", "Cross-sell confidence", "pct", 10),
    Column("cross_sell_lift", "交叉销售提升度", "Cross-sell lift", "score", 9),
    Column("owner_rep_name", "跟进人", "Owner rep", "text", 10),
    Column("owner_rep_team", "团队", "Team", "text", 15),
    Column("as_of_date", "数据截止日", "As of", "date", 12),
    # codes (machine-readable, collapsed)
    Column("owner_rep_id", "跟进人编号", "owner_rep_id", code=True),
    Column("region_code", "区域代码", "region_code", code=True),
    Column("industry_code", "行业代码", "industry_code", code=True),
    Column("size_band_code", "规模代码", "size_band_code", code=True),
    Column("value_tier_code", "层级代码", "value_tier_code", code=True),
    Column("lifecycle_stage_code", "生命周期代码", "lifecycle_stage_code", code=True),
    Column("rfm_segment_code", "RFM 分群代码", "rfm_segment_code", code=True),
    Column("rfm_value_group_code", "RFM 价值组代码", "rfm_value_group_code", code=True),
    Column("risk_level_code", "风险等级代码", "risk_level_code", code=True),
    Column("risk_signal_codes", "风险信号代码", "risk_signal_codes", code=True),
    Column("action_code", "行动代码", "action_code", code=True),
)

# mart columns shown through a language pair (<name>_zh in the mart -> <name> above)
PAIRED = {
    "industry_name_zh": "industry_name",
    "size_band_name_zh": "size_band_name",
    "region_name_zh": "region_name",
    "lifecycle_stage_name_zh": "lifecycle_stage_name",
    "value_tier_name_zh": "value_tier_name",
    "rfm_segment_name_zh": "rfm_segment_name",
    "action_name_zh": "action_name",
    "action_name_en": "action_name",
    "conclusion_zh": "conclusion",
    "conclusion_en": "conclusion",
}

SHEET_ALL = ("全部大客户", "All key accounts")
SHEET_NOTES = ("说明", "Notes")
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")
# characters XML 1.0 cannot hold: openpyxl refuses a cell with one (IllegalCharacterError)
_XML_ILLEGAL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def review_frame(marts: d.Marts) -> pd.DataFrame:
    """The review mart with both languages of every name, the owner team and signal names."""
    review = marts["mart_key_account_review"].copy()
    for dim in ("region", "industry"):
        names = d.dimension_names(marts, dim)
        review[f"{dim}_name_en"] = review[f"{dim}_code"].map(names[f"{dim}_name_en"])
    sizes = d.dimension_names(marts, "size_band")
    review["size_band_name_en"] = review["size_band_code"].map(sizes["size_band_name_en"])
    stages = d.lifecycle_names(marts)
    review["lifecycle_stage_name_en"] = review["lifecycle_stage_code"].map(
        {code: names[1] for code, names in stages.items()}
    )
    tiers = d.tier_names(marts)
    review["value_tier_name_en"] = review["value_tier_code"].map(
        {code: names[1] for code, names in tiers.items()}
    )
    rfm = marts["mart_account_rfm"].drop_duplicates("segment_code")
    review["rfm_segment_name_en"] = review["rfm_segment_code"].map(
        dict(zip(rfm["segment_code"], rfm["segment_name_en"], strict=True))
    )
    risk = marts["mart_account_risk"].set_index("account_id")
    review["owner_rep_team"] = review["account_id"].map(risk["owner_rep_team"])
    review["risk_level_name_zh"] = review["risk_level_code"].map(Lang("zh").risk_level)
    review["risk_level_name_en"] = review["risk_level_code"].map(Lang("en").risk_level)
    signals = marts["mart_account_risk_signals"].drop_duplicates("signal_code")
    for code, column in (("zh", "signal_name_zh"), ("en", "signal_name_en")):
        names = dict(zip(signals["signal_code"], signals[column], strict=True))
        separator = "、" if code == "zh" else ", "
        review[f"risk_signal_names_{code}"] = [
            separator.join(names.get(s.strip(), s.strip()) for s in str(codes).split(","))
            if isinstance(codes, str) and codes.strip()
            else ""
            for codes in review["risk_signal_codes"]
        ]
    return review.sort_values("review_priority").reset_index(drop=True)


def _value(row: pd.Series, column: Column, lang: Lang):
    if column.source in row.index:
        value = row[column.source]
    else:
        value = lang.pick(row, column.source) or None
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if column.kind == "date":
        return pd.Timestamp(value).date()
    if column.kind in ("money", "pct", "score"):
        return float(value)
    if column.kind == "int":
        return int(value)
    if column.kind == "bool":
        return lang.t("yes") if bool(value) else lang.t("no")
    return spreadsheet_text(str(value))  # delivered text, never a formula


def xml_safe_text(value):
    """A text cell's value with each control character XML cannot hold replaced by U+FFFD,
    so one such character in a delivered name neither crashes the workbook nor vanishes
    unseen; any other value unchanged."""
    return _XML_ILLEGAL_CHARS.sub("\ufffd", value) if isinstance(value, str) else value


def _append(sheet, values) -> None:
    """Every row of every sheet goes through here (text cells made XML-safe)."""
    sheet.append([xml_safe_text(v) for v in values])


def _sheet_title(name: str, used: set[str]) -> str:
    title = _BAD_SHEET_CHARS.sub("-", xml_safe_text(str(name))).strip()[:31] or "-"
    base, n = title, 2
    while title.lower() in used:
        suffix = f" ({n})"
        title, n = base[: 31 - len(suffix)] + suffix, n + 1
    used.add(title.lower())
    return title


def write_review_workbook(
    marts: d.Marts, lang: Lang, week: ReportWeek, path: Path, group_by: str = "region"
) -> list[str]:
    """Write the workbook; return its sheet names."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    review = review_frame(marts)
    group_column = {"region": "region_name", "team": "owner_rep_team"}[group_by]
    group_values = review.apply(
        lambda r: (
            (r[group_column] if group_column in r.index else lang.pick(r, group_column)) or "-"
        ),
        axis=1,
    )
    header_fill = PatternFill("solid", fgColor="1F4E79")
    header_font = Font(color="FFFFFF", bold=True)
    level_fills = {
        "high": PatternFill("solid", fgColor="F8CBAD"),
        "medium": PatternFill("solid", fgColor="FFE699"),
    }
    wrap = Alignment(wrap_text=True, vertical="top")
    formats = {"money": MONEY, "int": INT, "pct": PCT, "score": SCORE, "date": DATE}
    level_index = next(i for i, c in enumerate(REVIEW_COLUMNS) if c.source == "risk_level_name")
    first_code = next(i for i, c in enumerate(REVIEW_COLUMNS) if c.code) + 1

    workbook = Workbook()
    workbook.remove(workbook.active)
    used: set[str] = set()

    def add_sheet(title: str, rows: pd.DataFrame) -> str:
        sheet = workbook.create_sheet(_sheet_title(title, used))
        _append(sheet, [c.header(lang) for c in REVIEW_COLUMNS])
        for cell in sheet[1]:
            cell.fill, cell.font = header_fill, header_font
            cell.alignment = Alignment(wrap_text=True, vertical="center")
        for _, row in rows.iterrows():
            _append(sheet, [_value(row, c, lang) for c in REVIEW_COLUMNS])
            fill = level_fills.get(row["risk_level_code"])
            if fill is not None:
                sheet.cell(sheet.max_row, level_index + 1).fill = fill
        for index, column in enumerate(REVIEW_COLUMNS, start=1):
            letter = get_column_letter(index)
            sheet.column_dimensions[letter].width = column.width
            number_format = formats.get(column.kind)
            for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                if number_format:
                    cell.number_format = number_format
                if column.source in ("conclusion", "risk_signal_names"):
                    cell.alignment = wrap
        sheet.column_dimensions.group(
            get_column_letter(first_code),
            get_column_letter(len(REVIEW_COLUMNS)),
            hidden=True,
            outline_level=1,
        )
        sheet.freeze_panes = "C2"  # header row, priority and account name stay in view
        sheet.auto_filter.ref = (
            f"A1:{get_column_letter(len(REVIEW_COLUMNS))}{max(sheet.max_row, 1)}"
        )
        sheet.row_dimensions[1].height = 32
        return sheet.title

    names = [add_sheet(SHEET_ALL[0 if lang.zh else 1], review)]
    for group in sorted(set(group_values)):
        names.append(add_sheet(group, review[group_values == group]))

    notes = workbook.create_sheet(_sheet_title(SHEET_NOTES[0 if lang.zh else 1], used))
    notes.column_dimensions["A"].width = 24
    notes.column_dimensions["B"].width = 90
    note_rows = [
        (lang.t("title"), week.label),
        (lang.t("period"), f"{week.monday} – {week.sunday}"),
        (lang.t("as_of"), str(marts.as_of_date)),
        (
            lang.t("window", months=marts.window_months),
            f"{marts.window_start_date} – {marts.as_of_date}",
        ),
        ("Source" if not lang.zh else "数据来源", "marts.mart_key_account_review"),
        ("Rows" if not lang.zh else "行数", str(len(review))),
    ]
    if marts.as_of_date != week.sunday:
        note_rows.append(
            ("!", lang.t("as_of_differs", as_of=marts.as_of_date, week_end=week.sunday))
        )
    for row in note_rows:
        _append(notes, [spreadsheet_text(str(value)) for value in row])
    for (cell,) in notes.iter_rows(min_col=1, max_col=1):
        cell.font = Font(bold=True)
    names.append(notes.title)
    workbook.save(path)
    return names
