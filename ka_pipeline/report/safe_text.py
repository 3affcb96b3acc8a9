"""Delivered text made inert in the files the report writes.

An account name is whatever the CRM holds: `=HYPERLINK("http://…"&C2,"open")` would be a
live formula in a workbook cell, and `[open](http://…)` a link in summary.md and in the
bots' messages built from it. The HTML report escapes on its own (Jinja autoescape).
"""

from __future__ import annotations

import re

# a spreadsheet reads a cell starting with one of these as a formula (OWASP CSV injection);
# full-width forms too, which some spreadsheet locales accept
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]<>|~!#])")


def spreadsheet_text(text: str) -> str:
    """Text a spreadsheet shows as text: a formula-like start gets the `'` prefix."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def markdown_text(value: object) -> str:
    """Plain text for Markdown (a table cell, a list item): one line, every character that
    could format, link or embed HTML backslash-escaped, and no bare URL to autolink."""
    text = " ".join(str(value).split())
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text).replace("://", r":\/\/")
