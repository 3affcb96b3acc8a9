"""The raw loader on real files and a real DuckDB file: lossless, idempotent, clear errors."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import duckdb
import pytest

from ka_pipeline.extract.errors import LandingFileError
from ka_pipeline.extract.loader import expected_deliveries, load_deliveries
from ka_pipeline.landing.contract import ENTITIES_BY_KEY

ORDERS = ENTITIES_BY_KEY["erp/orders"]
SURVEYS = ENTITIES_BY_KEY["feedback/surveys"]
PRODUCTS = ENTITIES_BY_KEY["erp/products"]
DAY1, DAY2 = date(2024, 3, 1), date(2024, 3, 2)


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode(encoding))
    return path


@pytest.fixture
def landing(tmp_path: Path) -> Path:
    root = tmp_path / "landing"
    write(
        ORDERS.path_for(root, DAY1),
        "order_id,account_id,rep_id,order_date,channel,status\n"
        'O1,A1,R1,2024-03-01,direct,completed\nO2,A2,,2024-03-01,"direct, east",cancelled\n',
    )
    write(
        ORDERS.path_for(root, DAY2),
        "Status , ORDER_ID,account_id,order_date,new_col\ncompleted,O3,A1,2024/03/02,x\n",
    )
    return root


@pytest.fixture
def conn(tmp_path: Path):
    with duckdb.connect(str(tmp_path / "warehouse.duckdb")) as connection:
        yield connection


def load(conn, entity, landing, days):
    return load_deliveries(conn, entity, expected_deliveries(entity, landing, days), landing)


def test_loads_every_row_as_delivered_with_lineage(conn, landing):
    result = load(conn, ORDERS, landing, [DAY1, DAY2])

    assert result.rows == 3
    rows = conn.execute(
        "select order_id, rep_id, channel, status, order_date, _row_number, _partition_date "
        "from raw.erp__orders order by order_id"
    ).fetchall()
    assert rows == [
        ("O1", "R1", "direct", "completed", "2024-03-01", 1, DAY1),
        ("O2", None, "direct, east", "cancelled", "2024-03-01", 2, DAY1),
        ("O3", None, None, "completed", "2024/03/02", 1, DAY2),
    ]
    files = conn.execute("select distinct _source_file from raw.erp__orders order by 1").fetchall()
    assert files == [("erp/orders/orders_2024-03-01.csv",), ("erp/orders/orders_2024-03-02.csv",)]
    day2 = next(f for f in result.files if f.partition_date == DAY2)
    assert day2.extra_columns == ("new_col",)
    log = conn.execute(
        "select source_file, delivered_rows from raw._load_log order by 1"
    ).fetchall()
    assert log == [("erp/orders/orders_2024-03-01.csv", 2), ("erp/orders/orders_2024-03-02.csv", 1)]


def test_reloading_is_idempotent_and_a_resend_replaces_the_day(conn, landing):
    load(conn, ORDERS, landing, [DAY1, DAY2])
    load(conn, ORDERS, landing, [DAY1, DAY2])
    assert conn.execute("select count(*) from raw.erp__orders").fetchone()[0] == 3

    write(
        ORDERS.path_for(landing, DAY1),
        "order_id,account_id,rep_id,order_date,channel,status\nO1,A1,R1,2024-03-01,online,completed\n",
    )
    load(conn, ORDERS, landing, [DAY1])

    rows = conn.execute("select order_id, channel from raw.erp__orders order by 1").fetchall()
    assert rows == [("O1", "online"), ("O3", None)]


def test_gbk_file_is_transcoded(conn, tmp_path):
    root = tmp_path / "landing"
    write(
        ORDERS.path_for(root, DAY1),
        "order_id,account_id,order_date,status\nO9,华东客户,2024-03-01,已完成\n",
        encoding="gbk",
    )
    result = load(conn, ORDERS, root, [DAY1])
    assert result.files[0].encoding == "gb18030"
    assert conn.execute("select account_id, status from raw.erp__orders").fetchone() == (
        "华东客户",
        "已完成",
    )


def test_jsonl_keeps_malformed_lines_and_skips_blank_ones(conn, tmp_path):
    root = tmp_path / "landing"
    write(
        SURVEYS.path_for(root, DAY1),
        '{"survey_id": "S1", "account_id": "A1", "satisfaction_score": 5}\n'
        '\n{"survey_id": "S2", \n',
    )
    write(SURVEYS.path_for(root, DAY2), "")

    result = load(conn, SURVEYS, root, [DAY1, DAY2])

    rows = conn.execute(
        "select survey_id, satisfaction_score, _raw_line, _row_number from raw.feedback__surveys "
        "order by _row_number"
    ).fetchall()
    assert rows == [
        ("S1", "5", '{"survey_id": "S1", "account_id": "A1", "satisfaction_score": 5}', 1),
        (None, None, '{"survey_id": "S2", ', 3),
    ]
    assert [f.rows for f in result.files] == [2, 0]


def test_snapshot_entity_is_replaced_whole(conn, tmp_path):
    root = tmp_path / "landing"
    header = "product_id,product_name,category,product_line,list_price_cny,unit_cost_cny\n"
    write(PRODUCTS.path_for(root), header + "P1,a,c,l,10,5\nP2,b,c,l,20,8\n")
    load(conn, PRODUCTS, root, None)
    write(PRODUCTS.path_for(root), header + "P1,a,c,l,11,5\n")
    load(conn, PRODUCTS, root, None)
    assert conn.execute("select product_id, list_price_cny from raw.erp__products").fetchall() == [
        ("P1", "11")
    ]


def test_missing_file_names_the_path(conn, landing):
    with pytest.raises(LandingFileError) as error:
        load(conn, ORDERS, landing, [DAY1, date(2024, 3, 3)])
    assert error.value.rule == "file_missing"
    assert "orders_2024-03-03.csv" in str(error.value)
    # nothing of the partial range was written
    tables = conn.execute("select table_name from information_schema.tables").fetchall()
    assert ("erp__orders",) not in tables


def test_missing_required_column_names_file_column_and_rule(conn, tmp_path):
    root = tmp_path / "landing"
    write(ORDERS.path_for(root, DAY1), "order_id,order_date\nO1,2024-03-01\n")
    with pytest.raises(LandingFileError) as error:
        load(conn, ORDERS, root, [DAY1])
    message = str(error.value)
    assert "orders_2024-03-01.csv" in message
    assert "required_columns" in message
    assert "account_id" in message


def test_failed_load_rolls_back_and_keeps_previous_rows(conn, landing):
    load(conn, ORDERS, landing, [DAY1])
    write(ORDERS.path_for(landing, DAY1), "order_id\nO1\n")
    with pytest.raises(LandingFileError):
        load(conn, ORDERS, landing, [DAY1])
    assert conn.execute("select count(*) from raw.erp__orders").fetchone()[0] == 2


def test_mapping_glob_loads_every_file_of_a_day_and_can_skip_missing_days(conn, tmp_path):
    from ka_pipeline.mapping import parse_mapping

    root = tmp_path / "landing"
    header = "order_id,account_id,order_date\n"
    write(root / "exp" / "20240301_north.csv", header + "O1,A1,2024-03-01\n")
    write(root / "exp" / "20240301_south.csv", header + "O2,A2,2024-03-01\n")
    mapping = parse_mapping(
        {"entities": {"erp/orders": {"path": "exp/{date:%Y%m%d}_*.csv", "on_missing_day": "skip"}}}
    ).get("erp/orders")

    deliveries = expected_deliveries(ORDERS, root, [DAY1, DAY2], mapping)
    result = load_deliveries(conn, ORDERS, deliveries, root, mapping)

    assert [(f.source_file, f.rows) for f in result.files] == [
        ("exp/20240301_north.csv", 1),
        ("exp/20240301_south.csv", 1),
    ]
    strict = parse_mapping({"entities": {"erp/orders": {"path": "exp/{date:%Y%m%d}_*.csv"}}})
    strict_orders = strict.get("erp/orders")
    with pytest.raises(LandingFileError) as error:
        deliveries = expected_deliveries(ORDERS, root, [DAY2], strict_orders)
        load_deliveries(conn, ORDERS, deliveries, root, strict_orders)
    assert error.value.rule == "file_missing" and "20240302_*.csv" in str(error.value)


def test_mapping_encoding_that_does_not_decode_names_file_and_encoding(conn, tmp_path):
    from ka_pipeline.mapping import parse_mapping

    root = tmp_path / "landing"
    write(root / "o.csv", "order_id,account_id,order_date\nO1,华东,2024-03-01\n", encoding="gbk")
    mapping = parse_mapping(
        {"entities": {"erp/orders": {"path": "o.csv", "encoding": "utf-8"}}}
    ).get("erp/orders")
    with pytest.raises(LandingFileError) as error:
        load_deliveries(
            conn, ORDERS, expected_deliveries(ORDERS, root, None, mapping), root, mapping
        )
    assert error.value.rule == "encoding"
    assert "o.csv" in str(error.value) and "utf-8" in str(error.value)


def test_an_unreadable_file_fails_naming_the_file_and_the_cause(conn, tmp_path):
    from ka_pipeline.mapping import parse_mapping

    # a real EIO: /proc/<pid>/mem is a regular file, and reading it from offset 0 fails
    # (named without /proc/self, a link the symlink rule would refuse first)
    mem = Path("/proc/self/mem").resolve()
    mapping = parse_mapping(
        {"entities": {"erp/products": {"path": str(mem), "format": "csv"}}}
    ).get("erp/products")
    with pytest.raises(LandingFileError) as error:
        deliveries = expected_deliveries(PRODUCTS, tmp_path, None, mapping)
        load_deliveries(conn, PRODUCTS, deliveries, tmp_path, mapping)
    assert str(error.value) == f"{mem}: [unreadable] cannot be read: Input/output error"


# the loader in a process of its own, whose permission checks are real (see below)
LOAD_ORDERS_OF_DAY1 = """
import sys
from datetime import date
from pathlib import Path

import duckdb

from ka_pipeline.extract.errors import LandingFileError
from ka_pipeline.extract.loader import ensure_raw_table, expected_deliveries, load_deliveries
from ka_pipeline.landing.contract import ENTITIES_BY_KEY

orders, landing = ENTITIES_BY_KEY["erp/orders"], Path(sys.argv[1])
with duckdb.connect(sys.argv[2]) as conn:
    ensure_raw_table(conn, orders)
    deliveries = expected_deliveries(orders, landing, [date(2024, 3, 1)])
    try:
        load_deliveries(conn, orders, deliveries, landing)
    except LandingFileError as error:
        print(error)
"""
# root reads a mode-000 file anyway (CAP_DAC_OVERRIDE): without these capabilities it cannot
NO_READ_OVERRIDE = ["setpriv", "--bounding-set=-dac_override,-dac_read_search"]


def _without_read_override() -> list[str] | None:
    """The command prefix under which a mode-000 file is unreadable, None if there is none."""
    if os.geteuid() != 0:
        return []
    if shutil.which("setpriv") is None:
        return None
    probe = subprocess.run([*NO_READ_OVERRIDE, "true"], capture_output=True, check=False)
    return NO_READ_OVERRIDE if probe.returncode == 0 else None


def test_a_file_without_read_permission_fails_naming_it_and_loads_nothing(tmp_path):
    prefix = _without_read_override()
    if prefix is None:
        pytest.skip("root reads any file, and setpriv is missing or may not drop CAP_DAC_OVERRIDE")
    root = tmp_path / "landing"
    path = write(ORDERS.path_for(root, DAY1), "order_id,account_id,order_date\nO1,A1,2024-03-01\n")
    path.chmod(0)
    warehouse = tmp_path / "warehouse.duckdb"
    result = subprocess.run(
        [*prefix, sys.executable, "-c", LOAD_ORDERS_OF_DAY1, str(root), str(warehouse)],
        capture_output=True, text=True, check=False, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    assert result.stdout.strip() == f"{path}: [unreadable] cannot be read: Permission denied"
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        assert conn.execute("select count(*) from raw.erp__orders").fetchone() == (0,)


def test_a_header_wider_than_any_export_fails_naming_the_line(conn, tmp_path):
    root = tmp_path / "landing"
    header = "order_id,account_id,order_date" + "," * 5000
    write(ORDERS.path_for(root, DAY1), header + "\nO1,A1,2024-03-01\n")
    with pytest.raises(LandingFileError) as error:
        load(conn, ORDERS, root, [DAY1])
    assert (error.value.rule, error.value.row) == ("unreadable_line", 1)
    assert "5003 columns, more than the 2000" in str(error.value)


def test_json_lines_of_many_days_load_within_a_small_memory_limit(conn, tmp_path):
    """The JSON-lines scan holds one file's lines at a time: 60 days of surveys (~6 MB)
    load under a 64 MB limit, each line numbered as delivered (10M bench: the earlier
    lateral unnest ran out of 1.5 GB on 48 MB)."""
    root = tmp_path / "landing"
    days = [date(2024, 1, 1) + (date(2024, 1, 2) - date(2024, 1, 1)) * n for n in range(60)]
    line = '{"survey_id": "S%d-%d", "account_id": "A1", "satisfaction_score": 4, "note": "%s"}'
    for n, day in enumerate(days):
        write(
            SURVEYS.path_for(root, day),
            "".join(line % (n, i, "x" * 60) + "\n" for i in range(1000)),
        )
    conn.execute("set memory_limit = '64MB'")
    result = load(conn, SURVEYS, root, days)
    assert result.rows == 60_000
    assert conn.execute(
        "select min(_row_number), max(_row_number), count(distinct _source_file) "
        "from raw.feedback__surveys"
    ).fetchone() == (1, 1000, 60)


def test_running_out_of_memory_names_the_limit_not_a_bad_line(conn, tmp_path):
    root = tmp_path / "landing"
    days = [DAY1, DAY2]
    for day in days:  # each file alone is larger than the limit
        write(
            SURVEYS.path_for(root, day), '{"survey_id": "S1", "note": "' + "x" * 20_000_000 + '"}\n'
        )
    conn.execute("set memory_limit = '8MB'")
    with pytest.raises(LandingFileError) as error:
        load(conn, SURVEYS, root, days)
    assert error.value.rule == "out_of_memory"
    assert "KA_DUCKDB_MEMORY_LIMIT" in str(error.value)
    assert str(error.value).startswith(f"{SURVEYS.path_for(root, DAY1)} (and 1 more files): ")
