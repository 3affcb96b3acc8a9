"""Mapping files: a company's own exports loaded through a mapping, on real files, a real
DuckDB file and a real `dbt build`.

The two dbt invocations (a foreign-format orders export, built and tested, and the same
orders in canonical form, run) go in parallel in one module fixture and select only the
account-grain marts and what they need, to keep the module's wall time low on a loaded
2-core machine.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import duckdb
import pandas as pd
import pytest
import yaml

from ka_pipeline.cli import main as cli_main
from ka_pipeline.extract.errors import LandingFileError
from ka_pipeline.extract.loader import load_mapped_entities
from ka_pipeline.landing.contract import ENTITIES
from ka_pipeline.mapping import MappingError, load_mapping, parse_mapping
from ka_pipeline.mapping.check import check_mapping
from ka_pipeline.settings import DBT_PROJECT_DIR, Settings

ACCOUNT_MARTS = (
    "mart_account_rfm",
    "mart_account_tiers",
    "mart_account_lifecycle",
    "mart_kpi_monthly",
    "mart_key_account_review",
)
# the marts' own tests run on the orders-only build; staging's and core's are left to the
# session builds (hundreds of tests: half a minute on a loaded machine)
UPSTREAM_TESTS = (
    "resource_type:test,path:models/staging",
    "resource_type:test,path:models/core",
    "resource_type:test,path:tests/core",
)
BAD_DATE, BAD_AMOUNT = "下周二", "一千"

# The README's example: a plain orders.csv in GBK with Chinese headers, nothing else.
FOREIGN_MAPPING = """
version: 1
entities:
  erp/orders:
    path: orders.csv
    encoding: gbk
    columns:
      order_id: {generate: row_id}
      account_id: 客户编号
      order_date: {from: 下单日期, date_format: "%Y/%m/%d"}
      order_amount_cny: {from: 金额, thousands_separator: ","}
    defaults:
      status: completed
"""
CANONICAL_MAPPING = """
version: 1
entities:
  erp/orders:
    path: orders.csv
"""


def orders() -> list[tuple[str, date, Decimal]]:
    """~300 orders of 30 customers over two years, deterministic."""
    rng = random.Random(5)
    start = date(2023, 1, 1)
    return [
        (
            f"KH{rng.randint(1, 30):03d}",
            start + timedelta(days=rng.randint(0, 729)),
            Decimal(rng.randint(5_000, 2_500_000)) + Decimal(rng.randint(0, 99)) / 100,
        )
        for _ in range(300)
    ]


def write_foreign(landing: Path, rows) -> None:
    lines = ["客户编号,下单日期,金额"]
    lines += [f'{account},{day:%Y/%m/%d},"{amount:,.2f}"' for account, day, amount in rows]
    lines += [f"KH001,{BAD_DATE},100.00", f"KH002,2024/05/06,{BAD_AMOUNT}"]
    landing.mkdir(parents=True)
    (landing / "orders.csv").write_bytes(("\n".join(lines) + "\n").encode("gbk"))


def write_canonical(landing: Path, rows) -> None:
    """The same orders as the contract's columns: ids as the foreign load generates them."""
    lines = ["order_id,account_id,order_date,status,order_amount_cny"]
    lines += [
        f"orders.csv:{n},{account},{day.isoformat()},completed,{amount}"
        for n, (account, day, amount) in enumerate(rows, start=1)
    ]
    n = len(rows)
    lines += [
        f"orders.csv:{n + 1},KH001,{BAD_DATE},completed,100.00",
        f"orders.csv:{n + 2},KH002,2024-05-06,completed,{BAD_AMOUNT}",
    ]
    landing.mkdir(parents=True)
    (landing / "orders.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")


def start_build(root: Path, mapping_text: str, *, with_tests: bool) -> subprocess.Popen:
    """Load the landing files through the mapping, then start `dbt build` of the
    account-grain marts and everything upstream (with the marts' data tests, or none)."""
    mapping_file = root / "mapping.yaml"
    mapping_file.write_text(mapping_text, encoding="utf-8")
    warehouse = root / "warehouse.duckdb"
    with duckdb.connect(str(warehouse)) as conn:
        load_mapped_entities(conn, load_mapping(mapping_file), root / "landing", None)
    settings = Settings.from_env({"KA_DATA_DIR": str(root), "KA_WAREHOUSE_PATH": str(warehouse)})
    env = {**os.environ, **settings.dbt_env()}
    selection = " ".join(f"+{mart}" for mart in ACCOUNT_MARTS)
    return subprocess.Popen(
        [str(Path(sys.executable).parent / "dbt"), "build", "--select", *selection.split(),
         "--indirect-selection", "cautious", "--resource-type", "model", "--resource-type",
         "seed", *(["--resource-type", "test", "--exclude", *UPSTREAM_TESTS] if with_tests else []),
         "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR),
         "--target-path", str(root / "dbt_target"), "--log-path", str(root / "dbt_logs")],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip


@pytest.fixture(scope="module")
def builds(tmp_path_factory) -> dict[str, Path]:
    """{'foreign': warehouse, 'canonical': warehouse}: the same orders in both forms."""
    rows = orders()
    roots = {name: tmp_path_factory.mktemp(f"mapping_{name}") for name in ("foreign", "canonical")}
    write_foreign(roots["foreign"] / "landing", rows)
    write_canonical(roots["canonical"] / "landing", rows)
    processes = {  # tested once (the orders-only case); its twin only needs the tables
        "foreign": start_build(roots["foreign"], FOREIGN_MAPPING, with_tests=True),
        "canonical": start_build(roots["canonical"], CANONICAL_MAPPING, with_tests=False),
    }
    for name, process in processes.items():
        output, _ = process.communicate(timeout=600)
        if process.returncode != 0:
            raise AssertionError(f"dbt ({name}) failed:\n{output[-6000:]}")
    return {name: root / "warehouse.duckdb" for name, root in roots.items()}


def query(warehouse: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        return conn.execute(sql).fetchall()


def test_foreign_export_gives_the_same_marts_as_canonical_form(builds):
    for table in (*(f"marts.{m}" for m in ACCOUNT_MARTS), "core.fct_orders", "core.dim_accounts"):
        foreign = query(builds["foreign"], f"select * from {table} order by all")
        canonical = query(builds["canonical"], f"select * from {table} order by all")
        assert foreign, f"{table} is empty"
        assert foreign == canonical, table


def test_orders_only_builds_the_account_marts_with_inferred_accounts(builds):
    warehouse = builds["foreign"]
    rows = orders()
    accounts = {account for account, _, _ in rows}
    # every account is inferred from the orders and flagged as not in the CRM
    members = query(
        warehouse, "select account_id, is_in_crm from core.dim_accounts where account_id like 'KH%'"
    )
    assert {a for a, _ in members} == accounts
    assert not any(in_crm for _, in_crm in members)
    # revenue comes from the order amounts: one order-level line per order
    assert query(warehouse, "select count(*), sum(revenue_cny) from core.fct_orders") == [
        (len(rows), sum(amount for _, _, amount in rows))
    ]
    assert query(warehouse, "select distinct line_no, product_id from core.fct_order_lines") == [
        (0, "UNKNOWN")
    ]
    counts = {m: query(warehouse, f"select count(*) from marts.{m}")[0][0] for m in ACCOUNT_MARTS}
    print(f"orders-only mart rows: {counts}")
    assert counts["mart_account_rfm"] == counts["mart_account_tiers"] > 0
    assert counts["mart_account_lifecycle"] == len(accounts)
    assert counts["mart_kpi_monthly"] > 0
    # entities not mapped exist as empty raw tables
    for entity in ENTITIES:
        if entity.key != "erp/orders":
            assert query(warehouse, f"select count(*) from raw.{entity.table}") == [(0,)]


def test_values_that_do_not_parse_are_quarantined_as_delivered(builds):
    quarantined = query(
        builds["foreign"],
        "select b.quarantine_reason, r.order_date, r.order_amount_cny "
        "from staging.base_erp__orders as b join raw.erp__orders as r "
        "using (_source_file, _row_number) where b.row_status = 'quarantined' order by 1",
    )
    assert quarantined == [
        ("non_numeric:order_amount_cny", "2024-05-06", BAD_AMOUNT),
        ("unparseable_date:order_date", BAD_DATE, "100.00"),
    ]


@pytest.fixture
def landing(tmp_path: Path) -> Path:
    return tmp_path / "landing"


def write(path: Path, data: str | bytes, encoding: str = "utf-8") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data if isinstance(data, bytes) else data.encode(encoding))


def test_every_format_and_option_lands_as_canonical_text(tmp_path, landing):
    """Dated paths with their own date format, header row, delimiter, decimal comma, value
    maps, defaults, UTF-8 BOM, JSON lines with other keys, XLSX and Parquet."""
    day = date(2024, 3, 5)
    write(
        landing / "erp" / "Auftraege_05.03.2024.txt",
        "Export vom 05.03.2024\nNr;Kunde;Datum;Betrag;Status\n"
        "A-1;K1;05.03.2024;1.234,50;F\nA-2;K2;5.3.2024;12,5;S\nA-3;K3;gestern;x;Q\n",
        encoding="utf-8-sig",
    )
    write(
        landing / "survey" / "20240305.jsonl",
        '{"id": "S1", "kunde": "K1", "zeit": "05.03.2024 10:30", "note": 4}\nnot json\n',
    )
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["产品编号", "产品名称", "单价", "上市日期"])
    sheet.append(["P1", "控制器", 1234.5, pd.Timestamp("2020-01-02").to_pydatetime()])
    workbook.save(landing / "erp" / "产品.xlsx")
    (landing / "crm").mkdir()
    reps = pd.DataFrame({"rep": ["R1"], "name": ["王"], "since": [date(2020, 5, 1)]})
    reps.to_parquet(landing / "crm" / "reps.parquet")
    mapping = parse_mapping(
        yaml.safe_load(
            """
version: 1
entities:
  erp/orders:
    path: "erp/Auftraege_{date:%d.%m.%Y}.txt"
    encoding: utf-8-sig
    delimiter: ";"
    header_row: 2
    decimal_separator: ","
    thousands_separator: "."
    date_format: "%d.%m.%Y"
    columns:
      order_id: Nr
      account_id: Kunde
      order_date: Datum
      order_amount_cny: Betrag
      status: {from: Status, values: {F: completed, S: cancelled}}
    defaults: {channel: direct}
  feedback/surveys:
    path: "survey/{date:%Y%m%d}.jsonl"
    columns:
      survey_id: id
      account_id: kunde
      submitted_at: {from: zeit, timestamp_format: "%d.%m.%Y %H:%M"}
      satisfaction_score: note
  erp/products:
    path: "erp/产品.xlsx"
    columns: {product_id: 产品编号, product_name: 产品名称, list_price_cny: 单价,
              launched_date: 上市日期}
  crm/sales_reps:
    path: crm/reps.parquet
    columns: {rep_id: rep, rep_name: name, hire_date: since}
"""
        )
    )
    with duckdb.connect(str(tmp_path / "w.duckdb")) as conn:
        results = load_mapped_entities(conn, mapping, landing, [day])
        assert results["crm/accounts"] is None
        assert conn.execute(
            "select order_id, account_id, order_date, order_amount_cny, status, channel, "
            "_row_number from raw.erp__orders order by _row_number"
        ).fetchall() == [
            ("A-1", "K1", "2024-03-05", "1234.50", "completed", "direct", 1),
            ("A-2", "K2", "2024-03-05", "12.5", "cancelled", "direct", 2),
            # not in the mapping's formats: kept as delivered, for staging to quarantine
            ("A-3", "K3", "gestern", "x", "Q", "direct", 3),
        ]
        assert conn.execute(
            "select survey_id, account_id, submitted_at, satisfaction_score, _raw_line "
            "from raw.feedback__surveys order by _row_number"
        ).fetchall() == [
            ("S1", "K1", "2024-03-05 10:30:00", "4", '{"id": "S1", "kunde": "K1", '
             '"zeit": "05.03.2024 10:30", "note": 4}'),
            (None, None, None, None, "not json"),
        ]  # fmt: skip
        assert conn.execute(
            "select product_id, product_name, list_price_cny, launched_date from raw.erp__products"
        ).fetchall() == [("P1", "控制器", "1234.5", "2020-01-02")]
        assert conn.execute(
            "select rep_id, rep_name, hire_date from raw.crm__sales_reps"
        ).fetchall() == [("R1", "王", "2020-05-01")]


def test_missing_mapped_column_fails_the_load_naming_file_and_column(tmp_path, landing):
    write(landing / "orders.csv", "客户编号,下单日期\nKH1,2024/03/01\n", encoding="gbk")
    mapping = parse_mapping(yaml.safe_load(FOREIGN_MAPPING))
    with duckdb.connect(str(tmp_path / "w.duckdb")) as conn, pytest.raises(LandingFileError) as e:
        load_mapped_entities(conn, mapping, landing, None)
    assert e.value.rule == "mapped_columns"
    assert e.value.column == "order_amount_cny"
    assert "orders.csv" in str(e.value) and "金额" in str(e.value)


BROKEN_MAPPING = """
version: 1
entities:
  erp/orders:
    path: "orders_{date:%Y%m%d}.csv"
    columns:
      order_id: 订单号
      account_id: 客户编号
      order_date: {from: 下单日期, date_format: "%Y/%m/%d"}
      order_amount_cny: {from: 金额, thousands_separator: ","}
      status: {from: 状态, values: {"1": completed, "2": cancelled}}
  erp/order_lines:
    path: "lines_{date:%Y%m%d}.csv"
    columns: {quantity: 数量}
  crm/accounts:
    path: "crm/accounts_*.csv"
"""


def test_check_mapping_reports_each_problem(landing, monkeypatch, capsys):
    write(
        landing / "orders_20240301.csv",
        "订单号,客户编号,下单日期,金额,状态\n"
        'O1,KH1,2024/03/01,"1,200.00",1\n'
        "O2,KH2,2024/3/32,12x,9\n"
        "O3,,2024/03/01,5,2\n",
    )
    write(landing / "orders_latest.csv", "订单号\n")
    write(landing / "lines_20240301.csv", "order_id,line_no,product_id,unit_price_cny\nO1,1,P,1\n")
    mapping_file = landing.parent / "broken.yaml"
    mapping_file.write_text(BROKEN_MAPPING, encoding="utf-8")

    result = check_mapping(load_mapping(mapping_file), landing, rows=10)
    found = {(p.rule, p.column) for p in result.problems}
    assert ("unparseable_date", "order_date") in found  # 2024/3/32
    assert ("unparseable_number", "order_amount_cny") in found  # 12x
    assert ("unmapped_value", "status") in found  # 9
    assert ("missing_value", "account_id") in found  # O3
    assert ("file_date", None) in found  # orders_latest.csv
    assert ("file_missing", None) in found  # crm/accounts_*.csv
    missing = next(p for p in result.problems if p.rule == "required_columns")
    assert "数量" in missing.detail and "quantity" in missing.detail
    examples = next(p for p in result.problems if p.rule == "unparseable_date").detail
    assert "row 2: '2024/3/32'" in examples
    # the rows as canonical columns, and the value that mapped
    orders_check = result.entities[0]
    assert orders_check.preview_columns[:5] == [
        "order_id", "account_id", "order_date", "status", "order_amount_cny"
    ]  # fmt: skip
    assert orders_check.preview_rows[0] == ("O1", "KH1", "2024-03-01", "completed", "1200.00")

    monkeypatch.setenv("KA_LANDING_DIR", str(landing))
    assert cli_main(["check-mapping", "--mapping", str(mapping_file), "--rows", "10"]) == 1
    output = capsys.readouterr().out
    assert "PROBLEM [unmapped_value] orders_20240301.csv [status]" in output
    assert "Not mapped" in output and "feedback/tickets" in output


def test_check_mapping_passes_a_clean_export_and_never_opens_a_warehouse(
    landing, monkeypatch, capsys, tmp_path
):
    write(landing / "orders.csv", '客户编号,下单日期,金额\nKH1,2024/03/01,"1,200.00"\n', "gbk")
    mapping_file = tmp_path / "mapping.yaml"
    mapping_file.write_text(FOREIGN_MAPPING, encoding="utf-8")
    monkeypatch.setenv("KA_LANDING_DIR", str(landing))
    monkeypatch.setenv("KA_DATA_DIR", str(tmp_path / "data"))
    assert cli_main(["check-mapping", "--mapping", str(mapping_file)]) == 0
    output = capsys.readouterr().out
    assert "orders.csv:1 | KH1        | 2024-03-01 | completed | 1200.00" in output
    assert not (tmp_path / "data").exists()


@pytest.mark.parametrize(
    ("document", "key", "message"),
    [
        ({"entities": {"erp/ordres": {"path": "x.csv"}}}, "entities.erp/ordres", "unknown entity"),
        ({"entities": {"erp/orders": {}}}, "entities.erp/orders.path", "required"),
        (
            {"entities": {"erp/orders": {"path": "x.csv", "columns": {"amount": "金额"}}}},
            "entities.erp/orders.columns.amount",
            "not a canonical column",
        ),
        (
            {
                "entities": {
                    "erp/orders": {
                        "path": "x.csv",
                        "columns": {"order_date": {"from": "d", "date_format": "%Y/%Q"}},
                    }
                }
            },
            "entities.erp/orders.columns.order_date.date_format",
            "not a date format",
        ),
        (
            {
                "entities": {
                    "erp/orders": {
                        "path": "x.csv",
                        "columns": {"order_date": {"from": "d", "thousands_separator": ","}},
                    }
                }
            },
            "entities.erp/orders.columns.order_date.thousands_separator",
            "applies to number columns",
        ),
        (
            {
                "entities": {
                    "erp/orders": {
                        "path": "x.csv",
                        "columns": {"status": {"from": "s", "decimal_separator": ","}},
                    }
                }
            },
            "entities.erp/orders.columns.status.decimal_separator",
            "applies to number columns",
        ),
        (
            {"entities": {"erp/orders": {"path": "x.csv", "encoding": "latin9"}}},
            "entities.erp/orders.encoding",
            "not one of",
        ),
        ({"entities": {"erp/orders": {"path": "x.dat"}}}, "entities.erp/orders.format", "csv"),
        (
            {"entities": {"erp/products": {"path": "p_{date}.csv"}}},
            "entities.erp/products.path",
            "full snapshot",
        ),
        (
            {"entities": {"erp/orders": {"path": "x.csv", "header_row": 0}}},
            "entities.erp/orders.header_row",
            "from 1 to 1000",
        ),
        (
            {"entities": {"erp/orders": {"path": "x.csv", "header_row": 100000000000}}},
            "entities.erp/orders.header_row",
            "from 1 to 1000, got 100000000000",
        ),
        (
            {"entities": {"erp/orders": {"path": "x.csv", "header_row": 2.5}}},
            "entities.erp/orders.header_row",
            "line number",
        ),
        (
            {"entities": {"erp/orders": {"path": "x.csv", "delimeter": ";"}}},
            "entities.erp/orders.delimeter",
            "unknown key",
        ),
        (
            {
                "entities": {
                    "erp/orders": {"path": "x.csv", "columns": {"order_id": {"generate": "uuid"}}}
                }
            },
            "entities.erp/orders.columns.order_id.generate",
            "not one of",
        ),
    ],
)
def test_invalid_mapping_names_the_file_entity_and_key(document, key, message):
    with pytest.raises(MappingError) as error:
        parse_mapping(document, "my_mapping.yaml")
    assert error.value.key == key
    assert message in error.value.detail
    assert str(error.value).startswith(f"my_mapping.yaml: {key}: ")


def test_invalid_mapping_file_exits_2_with_the_key(tmp_path, capsys):
    mapping_file = tmp_path / "m.yaml"
    mapping_file.write_text("entities:\n  erp/orders:\n    path: x.csv\n    quote: '<<'\n")
    assert cli_main(["check-mapping", "--mapping", str(mapping_file)]) == 2
    assert "entities.erp/orders.quote" in capsys.readouterr().err


def test_default_mapping_describes_the_contract_layout():
    mapping = load_mapping()
    assert mapping.unmapped == []
    for entity in ENTITIES:
        entity_mapping = mapping.get(entity.key)
        assert entity_mapping.file_format == entity.file_format
        assert entity_mapping.path.replace("{date}", "YYYY-MM-DD") == entity.path_pattern
        assert entity_mapping.is_dated == entity.daily
    assert json.dumps(sorted(mapping.entities)) == json.dumps(sorted(e.key for e in ENTITIES))
