"""Inspecting one delivered file before DuckDB reads it: checksum, encoding, header."""

from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass
from pathlib import Path

from ka_pipeline.extract.errors import LandingFileError

# Encodings tried in order. GB18030 is a superset of GBK/GB2312, the usual encodings of
# Chinese Excel/ERP exports; DuckDB reads only UTF-8, so those files are transcoded.
_ENCODINGS = ("utf-8", "gb18030")


@dataclass(frozen=True)
class InspectedFile:
    path: Path
    sha256: str
    size_bytes: int
    encoding: str  # the encoding it was delivered in
    text: str | None  # decoded content when it must be transcoded for DuckDB, else None
    header: tuple[str, ...]  # raw header names as delivered (CSV only)


def normalise_column_name(name: str) -> str:
    """`" Order_ID "` -> `order_id`: header drift in case and spacing is not an error."""
    return name.strip().strip("\ufeff").strip().lower().replace(" ", "_")


def inspect_file(path: Path, *, file_format: str) -> InspectedFile:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise LandingFileError(path, "file_missing", "expected file was not delivered") from None
    sha256 = hashlib.sha256(data).hexdigest()
    encoding, text = _decode(path, data)
    header: tuple[str, ...] = ()
    if file_format == "csv" and text:
        first_line = io.StringIO(text.lstrip("\ufeff")).readline()
        header = tuple(next(csv.reader([first_line]), []))
    return InspectedFile(
        path=path,
        sha256=sha256,
        size_bytes=len(data),
        encoding=encoding,
        text=None if encoding == "utf-8" else text,
        header=header,
    )


def _decode(path: Path, data: bytes) -> tuple[str, str]:
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
