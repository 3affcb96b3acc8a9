"""The defect corpus (tests/defects/): every kind of bad delivery, loaded and built for real.

Each case directory holds the bad file(s) exactly as delivered and a `case.yaml` saying
where they land (entity, business day) and what must come of them: a load error naming
the file, rule and column / row, or per file the rows staged, quarantined (by
`reason_code:column`) and removed as duplicates, plus optional checks on the built tables.
See tests/defects/README.md for the format.

All cases share one landing area (each on its own business day) and one warehouse: the
real loader loads every entity once, each expected load error is provoked alone, then one
`dbt build` of staging, quality and the dimensions that show orphans runs for everything.
"""

from __future__ import annotations

import csv
import io
import shutil
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import duckdb
import pytest
import yaml
from conftest import Workspace, make_workspace

from ka_pipeline.extract.errors import LandingFileError
from ka_pipeline.extract.loader import ensure_raw_table, expected_deliveries, load_deliveries
from ka_pipeline.landing.contract import ENTITIES, ENTITIES_BY_KEY, SourceEntity
from ka_pipeline.mapping import load_mapping
from ka_pipeline.mapping.files import files_not_loaded

CORPUS_DIR = Path(__file__).parent / "defects"
REFERENCE_CASE = "00_reference_good_files"
# the models the expectations read, with their parents (seeds, base_ and stg_ models)
DBT_SELECTION = ("+quality", "+dim_accounts", "+dim_sales_reps", "+dim_products")


@dataclass(frozen=True)
class Delivery:
    """One file of a case delivered for an entity and day (`file` None: nothing delivered)."""

    case: str
    entity: SourceEntity
    day: date | None
    file: Path | None
    load_error: dict | None
    link: bool = False  # lands as a symbolic link to the case's file, outside the landing
    name: str | None = None  # lands under this (mis)name in the entity's folder
    not_loaded: str | None = None  # the rule files_not_loaded names it with

    @property
    def slot(self) -> tuple[str, date | None]:
        return self.entity.key, self.day


@dataclass(frozen=True)
class Case:
    name: str
    description: str
    deliveries: tuple[Delivery, ...]
    files: tuple[dict, ...]
    checks: tuple[dict, ...]


def read_case(case_yaml: Path) -> Case:
    spec = yaml.safe_load(case_yaml.read_text(encoding="utf-8"))
    name = case_yaml.parent.name
    deliveries = tuple(
        Delivery(
            case=name,
            entity=ENTITIES_BY_KEY[d["entity"]],
            day=_day(d.get("day")),
            file=case_yaml.parent / d["file"] if d.get("file") else None,
            load_error=d.get("load_error"),
            link=d.get("link", False),
            name=d.get("name"),
            not_loaded=d.get("not_loaded"),
        )
        for d in spec["deliveries"]
    )
    expected = spec["expected"]
    return Case(
        name=name,
        description=spec["description"],
        deliveries=deliveries,
        files=tuple(expected.get("files", ())),
        checks=tuple(expected.get("checks", ())),
    )


def _day(value) -> date | None:
    return None if value is None else date.fromisoformat(str(value))


CASES = tuple(read_case(p) for p in sorted(CORPUS_DIR.glob("*/case.yaml")))


@dataclass
class CorpusBuild:
    workspace: Workspace
    landing: Path
    # (case, index of the delivery in the case) -> what loading it raised (None: nothing)
    load_outcomes: dict[tuple[str, int], BaseException | None] = field(default_factory=dict)
    dbt_failure: str | None = None

    def query(self, sql: str, params: list | None = None) -> list[tuple]:
        return self.workspace.query(sql, params)

    def source_file(self, entity: SourceEntity, day: date | None) -> str:
        return entity.path_for(self.landing, day).relative_to(self.landing).as_posix()


def _slots_are_unique(cases: tuple[Case, ...]) -> None:
    """Cases must not share an entity's business day, or they would replace each other."""
    owner: dict[tuple[str, date | None], str] = {}
    for case in cases:
        for delivery in case.deliveries:
            other = owner.setdefault(delivery.slot, case.name)
            if other != case.name:
                raise ValueError(f"{case.name} and {other} both deliver {delivery.slot}")


def _land(delivery: Delivery, landing: Path) -> Path:
    target = delivery.entity.path_for(landing, delivery.day)
    if delivery.name is not None:
        target = target.parent / delivery.name
    target.parent.mkdir(parents=True, exist_ok=True)
    if delivery.link:
        target.unlink(missing_ok=True)
        target.symlink_to(delivery.file.resolve())
    elif delivery.file is not None:
        shutil.copyfile(delivery.file, target)  # bytes as delivered
    else:
        target.unlink(missing_ok=True)
    return target


def _load(conn, landing: Path, entity: SourceEntity, days: list[date] | None) -> None:
    load_deliveries(conn, entity, expected_deliveries(entity, landing, days), landing)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> CorpusBuild:
    _slots_are_unique(CASES)
    workspace = make_workspace(tmp_path_factory.mktemp("defect_corpus"))
    settings = workspace.settings
    build = CorpusBuild(workspace, settings.landing_dir)
    indexed = [(case, i, d) for case in CASES for i, d in enumerate(case.deliveries)]
    last_of_slot = {d.slot: (case.name, i) for case, i, d in indexed}
    superseded = [(c, i, d) for c, i, d in indexed if last_of_slot[d.slot] != (c.name, i)]
    final = [(c, i, d) for c, i, d in indexed if last_of_slot[d.slot] == (c.name, i)]

    settings.warehouse_path.parent.mkdir(parents=True)
    with duckdb.connect(str(settings.warehouse_path)) as conn:
        for entity in ENTITIES:
            ensure_raw_table(conn, entity)
        # first versions of re-sent days, in delivery order
        for *_, delivery in superseded:
            _land(delivery, build.landing)
            _load(conn, build.landing, delivery.entity, _days(delivery))
        # misnamed files: landed next to the others, never loaded
        for *_, delivery in final:
            if delivery.name is not None:
                _land(delivery, build.landing)
        # the files that must load: one load per entity, as an extraction run does
        loading = [(c, i, d) for c, i, d in final if not d.load_error and d.name is None]
        for entity in ENTITIES:
            group = [(c, i, d) for c, i, d in loading if d.entity is entity]
            for _, _, delivery in group:
                _land(delivery, build.landing)
            days = sorted({d.day for *_, d in group if d.day is not None}) or None
            if not group:
                continue
            try:
                _load(conn, build.landing, entity, days if entity.daily else None)
            except Exception:  # find and record the case that broke the load
                for case, i, delivery in group:
                    build.load_outcomes[(case.name, i)] = _outcome(conn, build, delivery)
        # each expected failure alone: it must fail without touching the warehouse
        for case, i, delivery in final:
            if delivery.load_error:
                _land(delivery, build.landing)
                build.load_outcomes[(case.name, i)] = _outcome(conn, build, delivery)
    try:
        workspace.dbt("build", "--select", *DBT_SELECTION, "--indirect-selection", "cautious")
    except AssertionError as failure:
        build.dbt_failure = str(failure)
    return build


def _days(delivery: Delivery) -> list[date] | None:
    return [delivery.day] if delivery.day is not None else None


def _outcome(conn, build: CorpusBuild, delivery: Delivery) -> BaseException | None:
    try:
        _load(conn, build.landing, delivery.entity, _days(delivery))
    except Exception as error:  # the test asserts its type and message
        return error
    return None


def test_corpus_covers_at_least_30_kinds_across_the_three_sources():
    kinds = [c for c in CASES if c.name != REFERENCE_CASE]
    assert len(kinds) >= 30
    systems = Counter(d.entity.system for c in kinds for d in c.deliveries)
    assert set(systems) == {"crm", "erp", "feedback"}, systems


def test_dbt_build_passes_and_every_file_reconciles(corpus):
    assert corpus.dbt_failure is None, corpus.dbt_failure
    unreconciled = "select * from quality.dq_file_reconciliation where not is_reconciled"
    assert corpus.query(unreconciled) == []
    for entity in ENTITIES:
        (delivered,) = corpus.query(f"select count(*) from raw.{entity.table}")[0]
        (accounted,) = corpus.query(
            "select coalesce(sum(staged_rows + quarantined_rows + duplicate_rows), 0) "
            "from quality.dq_file_reconciliation where entity = ?",
            [entity.key],
        )[0]
        assert accounted == delivered, entity.key


def _personal_values(corpus) -> set[str]:
    """Every value a case lists as personal data, and every e-mail / phone delivered."""
    values = {
        str(value)
        for case in CASES
        for spec in (*case.files, *(d.load_error or {} for d in case.deliveries))
        for key in ("quarantine_excludes", "message_excludes")
        for value in spec.get(key, ())
    }
    # rows with all their fields (a short row shifts a role into contact_name)
    rows = corpus.query(
        "select contact_name, phone, email from raw.crm__contacts where updated_at is not null"
    )
    values |= {v for row in rows for v in row if v}
    return {v for v in values if v != "secret.txt"}  # a file name, not personal data


def test_no_personal_data_outside_raw_and_staging(corpus):
    """A value scan of every table the corpus built outside raw / staging and of every load
    error message: no name, phone or e-mail of a delivery, wherever a mis-shaped row put it."""
    personal = _personal_values(corpus)
    assert len(personal) > 20
    found = {}
    columns = corpus.query(
        "select table_schema, table_name, column_name from information_schema.columns "
        "where data_type = 'VARCHAR' and table_schema not in ('raw', 'staging') "
        "and table_catalog = current_database()"
    )
    assert {c[0] for c in columns} >= {"core", "quality"}
    for schema, table, column in columns:
        values = corpus.query(f'select distinct "{column}" from "{schema}"."{table}"')
        text = "\n".join(r[0] for r in values if r[0])
        if hits := sorted(v for v in personal if v in text):
            found[f"{schema}.{table}.{column}"] = hits[:3]
    messages = "\n".join(str(e) for e in corpus.load_outcomes.values() if e is not None)
    if hits := sorted(v for v in personal if v in messages):
        found["load error messages"] = hits[:3]
    assert not found, f"personal data outside raw/staging: {found}"


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_defect_case(corpus, case: Case):
    for index, delivery in enumerate(case.deliveries):
        outcome = corpus.load_outcomes.get((case.name, index))
        if delivery.load_error:
            _assert_load_error(corpus, delivery, outcome)
        elif delivery.not_loaded:
            _assert_not_loaded(corpus, delivery)
        else:
            assert outcome is None, f"{delivery.file} failed to load: {outcome!r}"
    for expected in case.files:
        _assert_file_outcome(corpus, expected)
    for check in case.checks:
        _assert_check(corpus, check)


def _assert_load_error(corpus, delivery: Delivery, error: BaseException | None) -> None:
    expected = delivery.load_error
    assert isinstance(error, LandingFileError), f"expected a LandingFileError, got {error!r}"
    message = str(error)
    source_file = corpus.source_file(delivery.entity, delivery.day)
    assert source_file in message, message
    assert error.rule == expected["rule"] and f"[{expected['rule']}]" in message, message
    if "column" in expected:
        assert error.column == expected["column"] and repr(expected["column"]) in message
    if "row" in expected:
        assert error.row == expected["row"] and f"row {expected['row']}" in message, message
    assert expected.get("message", "") in message, message
    for excluded in expected.get("message_excludes", ()):
        assert excluded not in message, f"{excluded!r} in the message: {message}"
    assert "Traceback" not in message
    # nothing of the file was loaded: no raw row, no load-log entry
    (rows,) = corpus.query(
        f"select count(*) from raw.{delivery.entity.table} where _source_file = ?", [source_file]
    )[0]
    (logged,) = corpus.query(
        "select count(*) from raw._load_log where source_file = ?", [source_file]
    )[0]
    assert (rows, logged) == (0, 0)


def _assert_not_loaded(corpus, delivery: Delivery) -> None:
    """A misnamed file: listed with its rule, and not a row of it in raw."""
    not_loaded = {
        f.path.relative_to(corpus.landing).as_posix(): f.rule
        for f in files_not_loaded(load_mapping(), corpus.landing)
    }
    folder = delivery.entity.path_for(corpus.landing, delivery.day).parent
    source_file = (folder / delivery.name).relative_to(corpus.landing).as_posix()
    assert not_loaded.get(source_file) == delivery.not_loaded, not_loaded
    (rows,) = corpus.query(
        f"select count(*) from raw.{delivery.entity.table} where _source_file = ?", [source_file]
    )[0]
    assert rows == 0


def _assert_file_outcome(corpus, expected: dict) -> None:
    entity = ENTITIES_BY_KEY[expected["entity"]]
    source_file = corpus.source_file(entity, _day(expected.get("day")))
    (raw_rows,) = corpus.query(
        f"select count(*) from raw.{entity.table} where _source_file = ?", [source_file]
    )[0]
    assert raw_rows == expected["delivered"], f"{source_file}: rows in raw"
    if raw_rows:  # the loader's count against one taken from the file without it
        assert raw_rows == _landed_rows(corpus.landing / source_file), source_file
    reconciliation = corpus.query(
        "select delivered_rows, staged_rows, duplicate_rows, is_reconciled "
        "from quality.dq_file_reconciliation where source_file = ?",
        [source_file],
    )
    if expected["delivered"]:
        assert reconciliation == [
            (expected["delivered"], expected["staged"], expected["duplicates"], True)
        ], source_file
    else:  # a file without rows has nothing to reconcile
        assert reconciliation == [], source_file
    quarantined = dict(
        corpus.query(
            "select quarantine_reason, count(*) from quality.dq_quarantined_rows "
            "where source_file = ? group by 1",
            [source_file],
        )
    )
    assert quarantined == expected["quarantined"], source_file
    for value in expected.get("quarantine_excludes", ()):
        (leaks,) = corpus.query(
            "select count(*) from quality.dq_quarantined_rows "
            "where source_file = ? and strpos(original_values, ?) > 0",
            [source_file, value],
        )[0]
        assert leaks == 0, f"{value!r} in the quarantine record of {source_file}"
    if "extra_columns" in expected or "encoding" in expected:
        (extra, encoding) = corpus.query(
            "select extra_columns, encoding from raw._load_log where source_file = ?",
            [source_file],
        )[0]
        if "extra_columns" in expected:
            assert (extra or "").split(",") == expected["extra_columns"], source_file
        if "encoding" in expected:
            assert encoding == expected["encoding"], source_file


def _landed_rows(path: Path) -> int:
    """Data rows of a delivered file, counted with Python's own readers, not the loader's:
    non-blank lines of a JSON-lines file (split on LF only, as JSON lines are defined), or
    non-empty CSV records after the header."""
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("gb18030")
    text = text.removeprefix("\ufeff")
    if path.suffix == ".jsonl":
        return sum(1 for line in text.split("\n") if line.strip(" \t\r"))
    records = list(csv.reader(io.StringIO(text, newline="")))
    return sum(1 for record in records[1:] if any(field.strip() for field in record))


def _assert_check(corpus, check: dict) -> None:
    """`where` picks the rows of `relation`: none (`rows: 0`) or one with the `expect` values
    and whose `contains` columns hold the given text."""
    where = check["where"]
    contains = check.get("contains", {})
    columns = [*check.get("expect", {}), *contains] or ["1"]
    rows = corpus.query(
        f"select {', '.join(columns)} from {check['relation']} where "
        + " and ".join(f"{column} = ?" for column in where),
        list(where.values()),
    )
    if check.get("rows") == 0:
        assert rows == [], f"{check['relation']} {where}: expected no row, got {rows}"
        return
    assert len(rows) == 1, f"{check['relation']} {where}: expected one row, got {rows}"
    for column, actual in zip(columns, rows[0], strict=True):
        if column in contains:
            assert contains[column] in str(actual), f"{check['relation']} {where}: {actual!r}"
        elif column != "1":
            wanted = check["expect"][column]
            assert _same(actual, wanted), f"{check['relation']} {where}: {column} = {actual!r}"


def _same(actual, wanted) -> bool:
    if wanted is None or isinstance(wanted, bool):
        return actual is wanted
    if isinstance(wanted, int | float):
        return actual is not None and float(actual) == pytest.approx(float(wanted))
    return str(actual) == str(wanted)
