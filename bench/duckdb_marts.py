"""The harder floor: the RFM, tier and monthly-KPI marts as one DuckDB SQL script.

The same three marts as bench/pandas_marts.py, from the same inputs (the landing CSVs and
the reference CSVs in dbt_project/seeds) with the same definitions and parameters, but
written as an analyst would write them in DuckDB: one script (bench/duckdb_marts.sql),
no staging layer, no tests, no orchestration. Where the floor (bench/floor.py) runs the
pipeline's own SQL, this tells whether that SQL is efficient at all.

Each entity's CSVs are loaded into a table first, so `rowid` is the delivery order (files
sorted by name, rows in file order): a later delivery of an order, line or account record
wins. Every column is read as text with the header of the first file, so DuckDB does not
sniff each of the ~1,100 daily files (half the load time at 1M order lines).
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import time
from pathlib import Path

import duckdb
import pandas as pd

from bench import pandas_marts
from bench.pandas_marts import SEEDS, ComparatorMarts, days_to_read

SCRIPT = Path(__file__).with_name("duckdb_marts.sql")


def _files(landing: Path, folder: str, days: set[str] | None) -> list[str]:
    return [
        str(p)
        for p in sorted((landing / folder).glob("*.csv"))
        if days is None or p.stem[-10:] in days
    ]


def _text_columns(first_file: Path) -> dict[str, str]:
    with first_file.open(encoding="utf-8") as handle:
        header = next(csv.reader(handle))
    return dict.fromkeys(header, "VARCHAR")


def run_script(conn: duckdb.DuckDBPyConnection, landing: Path, days: set[str] | None) -> None:
    """Create the tables rfm, tiers and kpi_monthly in `conn` (schema main)."""
    parameters: dict[str, object] = {"seeds": str(SEEDS)}
    for entity, folder in (
        ("orders", "erp/orders"),
        ("lines", "erp/order_lines"),
        ("accounts", "crm/accounts"),
    ):
        files = _files(landing, folder, days)
        parameters[f"{entity}_files"] = files
        parameters[f"{entity}_columns"] = _text_columns(Path(files[0]))
    parameters |= {
        "rfm_window_months": pandas_marts.RFM_WINDOW_MONTHS,
        "rfm_cutoffs": list(pandas_marts.RFM_CUTOFFS),
        "vip_min_fen": pandas_marts.TIER_VIP_MIN_FEN,
        "key_min_fen": pandas_marts.TIER_KEY_MIN_FEN,
        "potential_min_rfm": pandas_marts.TIER_POTENTIAL_MIN_RFM,
        "abc_a_max_share": pandas_marts.ABC_A_MAX_SHARE,
        "abc_b_max_share": pandas_marts.ABC_B_MAX_SHARE,
    }
    for name, value in parameters.items():
        conn.execute(f"set variable {name} = ?", [value])
    for statement in SCRIPT.read_text().split(";"):
        if statement.strip():
            conn.execute(statement)


def build_marts(landing: Path, days: set[str] | None = None) -> ComparatorMarts:
    """The three marts as data frames, in the shapes of bench/pandas_marts.py."""
    with duckdb.connect() as conn:
        run_script(conn, landing, days)
        as_of = conn.execute("select as_of_date from as_of").fetchone()[0]
        rfm = conn.execute("select * from rfm order by account_id").df()
        tiers = conn.execute("select * from tiers order by account_id").df()
        kpi = conn.execute("select * from kpi_monthly order by all").df()
    kpi["month_start"] = pd.to_datetime(kpi["month_start"])
    return ComparatorMarts(as_of_date=pd.Timestamp(as_of), rfm=rfm, tiers=tiers, kpi_monthly=kpi)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run the DuckDB marts script once, timed.")
    parser.add_argument("--landing", type=Path, required=True)
    parser.add_argument("--exclude-day", help="a delivered day to leave out (YYYY-MM-DD)")
    parser.add_argument("--memory-limit", default="2GB")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args(argv)
    days = days_to_read(args.landing, args.exclude_day)
    started = time.perf_counter()
    with duckdb.connect() as conn:
        conn.execute(f"set memory_limit = '{args.memory_limit}'")
        conn.execute(f"set threads = {int(args.threads)}")
        run_script(conn, args.landing, days)
        as_of, rfm_rows, kpi_rows = conn.execute(
            "select (select as_of_date from as_of), (select count(*) from rfm), "
            "(select count(*) from kpi_monthly)"
        ).fetchone()
    print(
        json.dumps(
            {
                "total_s": time.perf_counter() - started,
                "as_of_date": as_of.isoformat(),
                "rfm_rows": rfm_rows,
                "kpi_rows": kpi_rows,
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
