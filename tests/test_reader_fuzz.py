"""Fuzzing the reader: generated files, randomly corrupted, loaded for real.

Bytes flipped, files and lines cut, lines duplicated, columns shuffled, a delimiter
appended to every line (an Excel export), a run over the CSV field limit; with a fixed
seed and a bounded count. Each corrupted file is loaded alone through the real loader into a
real DuckDB file and has exactly one outcome:
- loaded, with as many raw rows as the file has records, counted here with Python's own
  `csv` module or by JSON lines (not with the loader's DuckDB reader), or
- a `LandingFileError` naming the file and a rule, with nothing of the file in raw.
Anything else (another exception, a traceback) fails the case; so does a load slower than
the time bound (a watchdog interrupts DuckDB, and a Python hang ends the process with a
dump of where it hung).
"""

from __future__ import annotations

import csv
import faulthandler
import io
import json
import random
import sys
import threading
import time
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest

from ka_pipeline.extract.errors import LandingFileError
from ka_pipeline.extract.loader import Delivery, ensure_raw_table, load_deliveries
from ka_pipeline.generator.core import generate
from ka_pipeline.landing.contract import ENTITIES_BY_KEY, SourceEntity

SEED = 21
CASES = 120
TIME_BOUND_SECONDS = 20.0
FIRST_DAY = date(2030, 1, 1)  # each case loads its own business day
SAMPLE_DAYS = (date(2024, 3, 1), date(2024, 3, 20))
FUZZED = ("crm/accounts", "crm/activities", "erp/orders", "erp/order_lines", "feedback/surveys")


@dataclass(frozen=True)
class FuzzCase:
    number: int
    entity: SourceEntity
    corruptions: tuple[str, ...]
    data: bytes

    @property
    def day(self) -> date:
        return FIRST_DAY + timedelta(days=self.number)

    def __str__(self) -> str:
        return f"case {self.number} ({self.entity.key}: {', '.join(self.corruptions)})"


def _lines(data: bytes) -> list[bytes]:
    return data.splitlines(keepends=True)


def flip_bytes(rng: random.Random, data: bytes) -> bytes:
    flipped = bytearray(data)
    for _ in range(rng.randint(1, 5)):
        flipped[rng.randrange(len(flipped))] = rng.randrange(256)
    return bytes(flipped)


def cut_file(rng: random.Random, data: bytes) -> bytes:
    return data[: rng.randrange(len(data))]


def cut_line(rng: random.Random, data: bytes) -> bytes:
    lines = _lines(data)
    i = rng.randrange(len(lines))
    lines[i] = lines[i][: rng.randrange(len(lines[i]))] + b"\n"
    return b"".join(lines)


def duplicate_lines(rng: random.Random, data: bytes) -> bytes:
    lines = _lines(data)
    for _ in range(rng.randint(1, 3)):
        i = rng.randrange(len(lines))
        lines.insert(rng.randrange(len(lines) + 1), lines[i])
    return b"".join(lines)


def shuffle_columns(rng: random.Random, data: bytes) -> bytes:
    """CSV: the same permutation of every row's fields; JSON lines: each object's keys."""
    text = data.decode("utf-8")
    if text.lstrip().startswith("{"):
        out = []
        for line in text.splitlines():
            items = list(json.loads(line).items())
            rng.shuffle(items)
            out.append(json.dumps(dict(items), ensure_ascii=False))
        return ("\n".join(out) + "\n").encode("utf-8")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    order = list(range(len(rows[0])))
    rng.shuffle(order)
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows([[r[i] for i in order] for r in rows])
    return buffer.getvalue().encode("utf-8")


def trailing_delimiter(rng: random.Random, data: bytes) -> bytes:
    """As Excel exports do: every line ends with one more (nameless, empty) field."""
    return b"".join(
        line.rstrip(b"\r\n") + b"," + line[len(line.rstrip(b"\r\n")) :] for line in _lines(data)
    )


def long_field(rng: random.Random, data: bytes) -> bytes:
    """A run of 100-300 KB without a newline (over the CSV field limit of 128 KB)."""
    at = rng.randrange(len(data))
    return data[:at] + bytes([rng.choice(b'x,"')]) * rng.randint(100_000, 300_000) + data[at:]


CORRUPTIONS = {
    f.__name__: f
    for f in (
        flip_bytes,
        cut_file,
        cut_line,
        duplicate_lines,
        shuffle_columns,
        trailing_delimiter,
        long_field,
    )
}


def fuzz_cases(originals: dict[str, bytes]) -> list[FuzzCase]:
    rng = random.Random(SEED)
    cases = []
    for number in range(CASES):
        key = rng.choice(FUZZED)
        names = rng.sample(sorted(CORRUPTIONS), rng.randint(1, 3))
        # columns are shuffled first, while the file still parses
        names.sort(key=lambda name: name != "shuffle_columns")
        data = originals[key]
        for name in names:
            data = CORRUPTIONS[name](rng, data) if data else data
        cases.append(FuzzCase(number, ENTITIES_BY_KEY[key], tuple(names), data))
    return cases


def delivered_records(entity: SourceEntity, data: bytes) -> int | None:
    """Records in a delivered file, counted without DuckDB; None when it does not decode
    (UTF-8 with or without BOM, else GB18030, as the mapping's `encoding: auto` reads)."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        return None
    if entity.file_format == "jsonl":  # one record per non-blank line (JSON Lines: "\n")
        return sum(1 for line in text.split("\n") if line.strip())
    limit = csv.field_size_limit(sys.maxsize)  # a loaded line may be up to DuckDB's 2 MB
    try:
        records = list(csv.reader(io.StringIO(text, newline="")))
    finally:
        csv.field_size_limit(limit)
    return sum(1 for record in records[1:] if record)  # after the header; blank lines skip


@pytest.fixture(scope="module")
def originals(tmp_path_factory) -> dict[str, bytes]:
    """The biggest generated file of each fuzzed entity (JSON lines: all days together)."""
    landing = tmp_path_factory.mktemp("fuzz_sample")
    generate(landing, start=SAMPLE_DAYS[0], end=SAMPLE_DAYS[1], seed=3, scale=0.2)
    files = {}
    for key in FUZZED:
        entity = ENTITIES_BY_KEY[key]
        paths = sorted(entity.path_for(landing, SAMPLE_DAYS[0]).parent.iterdir())
        if entity.file_format == "jsonl":
            files[key] = b"".join(p.read_bytes() for p in paths)
        else:
            files[key] = max((p.read_bytes() for p in paths), key=len)
        assert files[key].count(b"\n") >= 4, key
    return files


def _load_within_bound(conn, case: FuzzCase, landing: Path) -> BaseException | None:
    path = case.entity.path_for(landing, case.day)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(case.data)
    watchdog = threading.Timer(TIME_BOUND_SECONDS, conn.interrupt)
    faulthandler.dump_traceback_later(TIME_BOUND_SECONDS * 3, exit=True)
    watchdog.start()
    started = time.perf_counter()
    try:
        load_deliveries(conn, case.entity, [Delivery(path, case.day)], landing)
    except Exception as error:  # judged by the test: only a LandingFileError is an outcome
        return error
    finally:
        watchdog.cancel()
        faulthandler.cancel_dump_traceback_later()
        elapsed = time.perf_counter() - started
        assert elapsed < TIME_BOUND_SECONDS, f"{case}: took {elapsed:.1f} s"
    return None


def test_every_corrupted_file_loads_reconciled_or_fails_naming_the_file(originals, tmp_path):
    landing = tmp_path / "landing"
    outcomes = {"loaded": 0, "failed": 0}
    with duckdb.connect(str(tmp_path / "warehouse.duckdb")) as conn:
        for key in FUZZED:
            ensure_raw_table(conn, ENTITIES_BY_KEY[key])
        for case in fuzz_cases(originals):
            error = _load_within_bound(conn, case, landing)
            source_file = case.entity.path_for(landing, case.day).relative_to(landing).as_posix()
            (rows,) = conn.execute(
                f"select count(*) from raw.{case.entity.table} where _source_file = ?",
                [source_file],
            ).fetchone()
            if error is None:
                expected = delivered_records(case.entity, case.data)
                assert rows == expected, f"{case}: {rows} raw rows, {expected} delivered"
                outcomes["loaded"] += 1
                continue
            assert isinstance(error, LandingFileError), f"{case}: {error!r}"
            message = str(error)
            assert source_file in message and f"[{error.rule}]" in message, f"{case}: {message}"
            assert "Traceback" not in message and rows == 0, f"{case}: {message}"
            outcomes["failed"] += 1
    # the corruptions are neither all harmless nor all fatal
    assert outcomes["loaded"] > CASES // 10 and outcomes["failed"] > CASES // 10, outcomes
