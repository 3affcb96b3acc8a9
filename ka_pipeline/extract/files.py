"""Inspecting one delivered file before DuckDB reads it: checksum, encoding, header.

DuckDB reads UTF-8 CSV, JSON lines and Parquet itself; a file in another encoding (GBK /
GB18030) and an Excel workbook are turned into UTF-8 text here, which the loader writes
to a temporary CSV for DuckDB.
"""

from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path

from ka_pipeline.extract.errors import LandingFileError

# More columns than any export has: a header this wide is a broken file (a run of
# delimiters), and DuckDB would spend minutes binding it.
MAX_HEADER_COLUMNS = 2000
# Encodings tried in order. GB18030 is a superset of GBK/GB2312, the usual encodings of
# Chinese Excel/ERP exports; DuckDB reads only UTF-8, so those files are transcoded.
_ENCODINGS = ("utf-8", "gb18030")


@dataclass(frozen=True)
class InspectedFile:
    path: Path
    sha256: str
    size_bytes: int
    encoding: str  # the encoding it was delivered in (`xlsx` / `parquet` for those)
    text: str | None  # decoded content when DuckDB must read a UTF-8 copy (encoding, newlines)
    header: tuple[str, ...]  # raw header names as delivered (CSV, XLSX, Parquet)


def normalise_column_name(name: str) -> str:
    """`" Order_ID "` -> `order_id`: header drift in case and spacing is not an error."""
    return name.strip().strip("\ufeff").strip().lower().replace(" ", "_")


def inspect_file(
    path: Path,
    *,
    file_format: str,
    encoding: str = "auto",
    delimiter: str = ",",
    quote: str = '"',
    header_row: int = 1,
    sheet: str | None = None,
) -> InspectedFile:
    """Checksum, decode and read the header of one delivered file.

    `encoding` `auto` tries UTF-8 then GB18030; a named encoding must decode. The header is
    line `header_row` (CSV) or row `header_row` (XLSX, whose rows from the header on
    become the text of a UTF-8 CSV); Parquet's header is its schema.
    """
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise LandingFileError(path, "file_missing", "expected file was not delivered") from None
    except OSError as error:  # permission, EIO, a directory: the file exists but cannot be read
        raise LandingFileError(
            path, "unreadable", f"cannot be read: {error.strerror or error}"
        ) from None
    sha256 = hashlib.sha256(data).hexdigest()
    if file_format == "parquet":
        return InspectedFile(path, sha256, len(data), "parquet", None, _parquet_header(path))
    if file_format == "xlsx":
        text = _xlsx_as_csv(path, sheet, header_row) if data else ""
        header = _csv_header(path, text, 1, ",", '"', reported_row=header_row)
        return InspectedFile(path, sha256, len(data), "xlsx", text, header)
    encoding, text = _decode(path, data, encoding)
    newlines_mixed = file_format == "csv" and _has_mixed_newlines(text)
    if newlines_mixed:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    header: tuple[str, ...] = ()
    if file_format == "csv" and text:
        header = _csv_header(path, text.lstrip("\ufeff"), header_row, delimiter, quote)
    return InspectedFile(
        path=path,
        sha256=sha256,
        size_bytes=len(data),
        encoding=encoding,
        text=None if encoding in ("utf-8", "utf-8-sig") and not newlines_mixed else text,
        header=header,
    )


def _csv_header(
    path: Path,
    text: str,
    header_row: int,
    delimiter: str,
    quote: str,
    *,
    reported_row: int | None = None,
) -> tuple[str, ...]:
    """The column names on line `header_row`; an empty name becomes `unnamed_<position>`.

    Excel exports often end every line with a delimiter: the column without a name is
    then an extra column like any other, not a nameless one DuckDB cannot bind. A header
    the CSV reader refuses (a field over its limit, e.g. a 1 MB line without a newline),
    or one wider than MAX_HEADER_COLUMNS, fails the file, naming the line.
    """
    lines = io.StringIO(text)
    for _ in range(header_row - 1):
        lines.readline()
    try:
        names = next(
            csv.reader([lines.readline()], delimiter=delimiter, quotechar=quote or None), []
        )
    except csv.Error as error:
        raise LandingFileError(
            path, "unreadable_line", f"header: {error}", row=reported_row or header_row
        ) from None
    if len(names) > MAX_HEADER_COLUMNS:
        raise LandingFileError(
            path,
            "unreadable_line",
            f"header: {len(names)} columns, more than the {MAX_HEADER_COLUMNS} an export has",
            row=reported_row or header_row,
        )
    return tuple(name or f"unnamed_{position}" for position, name in enumerate(names, 1))


def _has_mixed_newlines(text: str) -> bool:
    """Lines end in more than one way (CRLF and LF, or a bare CR), which DuckDB rejects.

    Such a CSV (rows appended by another tool, an old Mac export) is read from a copy with
    every line ending as LF; a CR inside a quoted value becomes LF too.
    """
    carriage_returns = text.count("\r")
    if not carriage_returns:
        return False
    crlf = text.count("\r\n")
    return crlf != carriage_returns or crlf != text.count("\n")


def _decode(path: Path, data: bytes, encoding: str = "auto") -> tuple[str, str]:
    if encoding != "auto":
        try:
            return encoding, data.decode(encoding)
        except UnicodeDecodeError as error:
            raise LandingFileError(
                path,
                "encoding",
                f"not valid {encoding} as the mapping says (byte {error.start}: {error.reason})",
            ) from None
    for encoding in _ENCODINGS:
        try:
            return encoding, data.decode(encoding)
        except UnicodeDecodeError as error:
            last_error = error
    raise LandingFileError(
        path,
        "encoding",
        f"not valid UTF-8 or GB18030/GBK (byte {last_error.start}: {last_error.reason})",
    )


def _parquet_header(path: Path) -> tuple[str, ...]:
    import pyarrow.parquet as pq

    try:
        return tuple(pq.read_schema(path).names)
    except Exception as error:  # pyarrow raises several types for a damaged file
        raise LandingFileError(
            path, "unreadable", f"not a readable Parquet file: {error}"
        ) from None


def _xlsx_as_csv(path: Path, sheet: str | None, header_row: int) -> str:
    """The sheet's rows from `header_row` on as CSV text; cells as an export shows them."""
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # zipfile / openpyxl raise several types
        raise LandingFileError(
            path, "unreadable", f"not a readable XLSX workbook: {error}"
        ) from None
    try:
        if sheet is not None and sheet not in workbook.sheetnames:
            raise LandingFileError(
                path, "sheet_missing", f"no sheet {sheet!r} (sheets: {workbook.sheetnames})"
            )
        rows = (workbook[sheet] if sheet else workbook.worksheets[0]).iter_rows(
            min_row=header_row, values_only=True
        )
        header = next(rows, ())
        # the sheet's used range often runs past the last titled column: cut it there
        width = max((i + 1 for i, v in enumerate(header) if v not in (None, "")), default=0)
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        for row in (header, *rows):
            if any(v not in (None, "") for v in row):
                writer.writerow(["" if v is None else _cell_text(v) for v in row[:width]])
        return out.getvalue()
    finally:
        workbook.close()


def _cell_text(value: object) -> str:
    """A date cell as an ISO date (or timestamp when it has a time), a whole float as int."""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
