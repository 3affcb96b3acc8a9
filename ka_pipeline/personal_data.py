"""The one redaction of personal data (contact names, phones, e-mails) outside raw.

Personal data is known two ways:
- by column: `PERSONAL_DATA_COLUMNS` of the entities that hold it (the dbt macro
  `personal_data_columns` lists the same, `tests/test_personal_data.py` checks they agree);
- by value: e-mail addresses and phone numbers, wherever they are. A mis-shaped row (a
  contacts file without its header, a row missing a field) shifts values into other
  columns, so there the column names cannot be trusted.

In an entity that holds personal data, a value is shown only when it looks like a code, an
id, a date or a number (`is_safe_token`): a name shifted into an id column is free text
like any other. Every message the loader raises, every Great Expectations sample and every
alert line goes through `redact_text` / `redact_value`; the quarantine record does the same
in SQL (macro `redact_personal_data`, same patterns).
"""

from __future__ import annotations

import re

# entity key -> its delivered columns that hold personal data
PERSONAL_DATA_COLUMNS: dict[str, frozenset[str]] = {
    "crm/contacts": frozenset({"contact_name", "phone", "email"}),
}
REDACTED = "(personal data)"

# The same patterns are in dbt_project/macros/staging/personal_data.sql: no backslashes, so
# they read the same in Python, DuckDB (RE2) and Spark (Java) string literals.
EMAIL_PATTERN = "[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+([.][A-Za-z0-9-]+)+"
# mainland mobiles (13x-19x, 11 digits, optionally +86 and separators) and landlines
# with an area code (010-12345678, 0755 1234 5678)
PHONE_PATTERN = (
    "([+]?86[ -]?)?1[3-9][0-9]([ -]?[0-9]{4}){2}|0[1-9][0-9]{1,2}[ -][0-9]{3,4}[ -]?[0-9]{4}"
)
SAFE_TOKEN_PATTERN = "[A-Za-z0-9_.:/+-]*|[0-9][0-9 :/.T+-]*"

# digits around a phone-like run make it part of a longer number (SQL, without
# look-arounds, redacts those too: more, never less)
_PERSONAL_VALUE = re.compile(f"({EMAIL_PATTERN})|(?<![0-9])({PHONE_PATTERN})(?![0-9])")
_SAFE_TOKEN = re.compile(SAFE_TOKEN_PATTERN)


def holds_personal_data(entity_key: str) -> bool:
    return entity_key in PERSONAL_DATA_COLUMNS


def redact_text(text: str) -> str:
    """`text` with every e-mail address and phone number replaced by `(personal data)`."""
    return _PERSONAL_VALUE.sub(REDACTED, text)


def is_safe_token(value: str) -> bool:
    """A code, id, date or number that is not a phone number: shown even where a row is
    mis-shaped. Free text (a name shifted into an id column) is not."""
    text = value.strip()
    return bool(_SAFE_TOKEN.fullmatch(text)) and redact_text(text) == text


def redact_value(value: object, *, personal_entity: bool) -> object:
    """One delivered value for a message or sample: in an entity holding personal data only
    a safe token is kept; elsewhere e-mails and phones inside the text are replaced."""
    if not isinstance(value, str):
        return value
    if personal_entity:
        return value if is_safe_token(value) else REDACTED
    return redact_text(value)
