"""The sample-data generator: contract, determinism, business shapes, defects, streaming.

Samples are written to temporary directories and read back from the files (with DuckDB),
the way the pipeline sees them. Everything here runs in seconds: the shapes use a two-year
sample at scale 0.6 generated once per module.
"""

from __future__ import annotations

import csv
import itertools
import json
import os
import re
import tracemalloc
from datetime import date, timedelta
from pathlib import Path

import duckdb
import numpy as np
import pytest

from ka_pipeline.generator import (
    GenerationSummary,
    account_paths,
    default_date_range,
    generate,
)
from ka_pipeline.generator import events as events_module
from ka_pipeline.generator import writer as writer_module
from ka_pipeline.generator.reference import (
    ACTIVITY_TYPES,
    CHANNELS,
    COMPLAINT_CATEGORIES,
    CONTACT_ROLES,
    ENUM_ALIASES_ZH,
    INDUSTRIES,
    ORDER_STATUSES,
    PROVINCES,
    REGIONS,
    SEVERITIES,
    STAGES,
    TICKET_CHANNELS,
    TICKET_SEVERITIES,
    province_variants,
)
from ka_pipeline.generator.world import build_world
from ka_pipeline.landing.contract import ENTITIES, ENTITIES_BY_KEY

SEEDS_DIR = Path(__file__).resolve().parents[1] / "dbt_project" / "seeds"
START, END = date(2024, 7, 1), date(2026, 6, 30)
SCALE = 0.6
SEED = int(os.environ.get("KA_GENERATOR_TEST_SEED", "11"))  # try the shapes on other seeds
DAILY = [e for e in ENTITIES if e.daily]


# ------------------------------------------------------------------------------ helpers
def days(start: date, end: date) -> list[date]:
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


def load(landing: Path, start: date, end: date, tmp: Path) -> duckdb.DuckDBPyConnection:
    """An in-memory database with one all-text table per entity, named like the entity
    (`orders`, `order_lines`, ...); daily tables get the `filename` each row came from.

    The daily files are concatenated in Python first: DuckDB's per-file overhead on
    thousands of tiny files would dominate the test time."""
    con = duckdb.connect()
    for entity in ENTITIES:
        if not entity.daily:
            con.execute(
                f"create table {entity.name} as select * from "
                f"read_csv('{entity.path_for(landing)}', all_varchar=true)"
            )
            continue
        parts = []
        if entity.file_format == "csv":
            parts.append(",".join(entity.columns) + ",filename\n")
        for day in days(start, end):
            path = entity.path_for(landing, day)
            lines = path.read_text(encoding="utf-8").splitlines()
            if entity.file_format == "csv":
                parts.extend(f"{line},{path.name}\n" for line in lines[1:])
            else:
                parts.extend(f'{line[:-1]}, "filename": "{path.name}"}}\n' for line in lines)
        combined = tmp / f"{entity.name}.{entity.extension}"
        combined.write_text("".join(parts), encoding="utf-8")
        if entity.file_format == "csv":
            source = f"read_csv('{combined}', all_varchar=true, header=true)"
        else:
            columns = ", ".join(f"'{c}': 'VARCHAR'" for c in (*entity.columns, "filename"))
            source = f"read_json('{combined}', format='newline_delimited', columns={{{columns}}})"
        con.execute(f"create table {entity.name} as select * from {source}")
    return con


def one(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None):
    """The single row of a query (a value when it has one column)."""
    (row,) = con.execute(sql, params or []).fetchall()
    return row[0] if len(row) == 1 else row


def file_bytes(landing: Path) -> dict[str, bytes]:
    return {str(p.relative_to(landing)): p.read_bytes() for p in landing.rglob("*") if p.is_file()}


def normalise(label: str) -> str:
    """What staging does before looking a label up in an alias seed."""
    return label.strip(" \t\u3000").lower().replace(" ", "").replace("\u3000", "")


def seed_rows(name: str) -> list[dict[str, str]]:
    with (SEEDS_DIR / f"{name}.csv").open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> tuple[Path, GenerationSummary]:
    landing = tmp_path_factory.mktemp("sample") / "landing"
    summary = generate(landing, start=START, end=END, seed=SEED, scale=SCALE)
    return landing, summary


@pytest.fixture(scope="module")
def db(sample, tmp_path_factory):
    con = load(sample[0], START, END, tmp_path_factory.mktemp("db"))
    yield con
    con.close()


@pytest.fixture(scope="module")
def world():
    return build_world(START, END, seed=SEED, scale=SCALE)


@pytest.fixture(scope="module")
def revenue(db) -> list[tuple]:
    """(account_id, order_date, revenue) of completed order lines."""
    return db.execute(
        "select o.account_id, cast(o.order_date as date), "
        "cast(l.quantity as double) * cast(l.unit_price_cny as double) "
        "* (1 - cast(l.discount_pct as double)) "
        "from order_lines l join orders o using (order_id) where o.status = 'completed'"
    ).fetchall()


@pytest.fixture(scope="module")
def paths() -> dict[str, tuple[str, date]]:
    """account_id -> (lifecycle path, the day it starts: growth/decline start, churn, creation)."""
    return account_paths(START, END, seed=SEED, scale=SCALE)


# ------------------------------------------------------------------------------ the API
def test_default_date_range_is_three_years_to_yesterday_from_a_month_start():
    assert default_date_range(date(2026, 7, 1)) == (date(2023, 6, 1), date(2026, 6, 30))
    assert default_date_range(date(2028, 3, 1)) == (date(2025, 2, 1), date(2028, 2, 29))
    assert default_date_range(date(2026, 11, 23)) == (date(2023, 11, 1), date(2026, 11, 22))


@pytest.mark.parametrize(
    "kwargs",
    [
        {"start": date(2024, 2, 1), "end": date(2024, 1, 1)},
        {"start": date(2024, 1, 1), "end": date(2024, 1, 2), "defects": 1.5},
        {"start": date(2024, 1, 1), "end": date(2024, 1, 2), "scale": 0},
    ],
)
def test_invalid_arguments_are_refused(tmp_path, kwargs):
    with pytest.raises(ValueError):
        generate(tmp_path, **kwargs)


def test_same_arguments_give_identical_bytes_and_another_seed_does_not(tmp_path):
    args = {"start": date(2024, 2, 20), "end": date(2024, 3, 20), "scale": 0.2, "defects": 0.05}
    first = generate(tmp_path / "a", seed=3, **args)
    generate(tmp_path / "b", seed=3, **args)
    generate(tmp_path / "c", seed=4, **args)
    a, b, c = (file_bytes(tmp_path / x) for x in "abc")
    assert a == b
    assert a.keys() == c.keys()
    assert a["erp/orders/orders_2024-03-01.csv"] != c["erp/orders/orders_2024-03-01.csv"]
    assert json.loads(a["_generator_summary.json"]) == json.loads(first.to_json())


def test_regenerating_removes_files_of_a_previous_range(tmp_path):
    generate(tmp_path, start=date(2024, 1, 1), end=date(2024, 1, 10), scale=0.1)
    generate(tmp_path, start=date(2024, 1, 5), end=date(2024, 1, 8), scale=0.1)
    delivered = sorted(p.name for p in (tmp_path / "erp" / "orders").iterdir())
    assert delivered == [f"orders_2024-01-0{d}.csv" for d in (5, 6, 7, 8)]


# ------------------------------------------------------------------------- the contract
def test_every_daily_file_exists_with_the_contract_columns(sample):
    landing, summary = sample
    expected = {"_generator_summary.json"}
    for entity in ENTITIES:
        if not entity.daily:
            path = entity.path_for(landing)
            expected.add(str(path.relative_to(landing)))
            assert path.read_text(encoding="utf-8").split("\n")[0] == ",".join(entity.columns)
            continue
        for day in days(START, END):
            path = entity.path_for(landing, day)
            expected.add(str(path.relative_to(landing)))
            text = path.read_text(encoding="utf-8")
            if entity.file_format == "csv":
                assert text.split("\n", 1)[0] == ",".join(entity.columns), path
                assert text.endswith("\n")
            elif text:
                for line in text.splitlines():
                    assert list(json.loads(line)) == list(entity.columns), path
        assert summary.files[entity.key] == len(days(START, END))
    assert {str(p.relative_to(landing)) for p in landing.rglob("*") if p.is_file()} == expected


def test_summary_counts_the_rows_in_the_files(sample, db):
    landing, summary = sample
    for entity in ENTITIES:
        assert one(db, f"select count(*) from {entity.name}") == summary.rows[entity.key] > 0
    saved = json.loads((landing / "_generator_summary.json").read_text(encoding="utf-8"))
    assert saved["rows"] == summary.rows
    assert saved["defects"] == {}


def test_volumes_follow_the_scale(sample):
    _, summary = sample
    years = ((END - START).days + 1) / 365
    # scale 1 = 500 accounts and ~50k order lines over three years
    assert summary.accounts == round(500 * SCALE)
    lines_per_scale_year = summary.rows["erp/order_lines"] / SCALE / years
    assert 13_000 < lines_per_scale_year < 20_000
    assert 55 <= summary.products <= 65
    # ~1 rep per 12 accounts, plus the replacements of reps who left during the window
    assert max(8, summary.accounts / 14) <= summary.sales_reps <= summary.accounts / 12 * 1.4
    shares = {k: v / summary.accounts for k, v in summary.account_paths.items()}
    assert shares["stable"] == pytest.approx(0.40, abs=0.08)
    assert shares["growth"] == pytest.approx(0.20, abs=0.06)
    assert shares["churned"] == pytest.approx(0.15, abs=0.05)


def test_every_row_belongs_to_its_files_day(db):
    file_day = "regexp_extract(filename, '(\\d{4}-\\d{2}-\\d{2})', 1)"
    checks = {
        "accounts": "updated_at",
        "contacts": "updated_at",
        "opportunities": "stage_changed_at",
        "activities": "activity_at",
        "orders": "order_date",
        "invoices": "invoice_date",
        "payments": "payment_date",
        "surveys": "submitted_at",
        "complaints": "created_at",
        "tickets": "resolved_at",
    }
    for table, column in checks.items():
        assert one(db, f"select count(*) from {table} where left({column}, 10) <> {file_day}") == 0
    # order lines are in the same day's file as their order
    misplaced = one(
        db,
        "select count(*) from order_lines l left join orders o on o.order_id = l.order_id "
        f"and {file_day.replace('filename', 'o.filename')} "
        f"= {file_day.replace('filename', 'l.filename')} where o.order_id is null",
    )
    assert misplaced == 0
    # timestamps in order: created <= updated, opened <= first response <= resolved
    assert one(db, "select count(*) from accounts where created_at > updated_at") == 0
    assert (
        one(
            db,
            "select count(*) from tickets where not (opened_at <= first_response_at "
            "and first_response_at <= resolved_at)",
        )
        == 0
    )


FORMATS = {
    "accounts": {
        "account_id": r"A\d{6}",
        "owner_rep_id": r"R\d{4}",
        "employee_count": r"\d+",
        "annual_revenue_cny": r"\d+\.\d{2}",
        "founded_year": r"(19|20)\d{2}",
        "created_at": r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}",
        "updated_at": r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}",
    },
    "contacts": {
        "contact_id": r"C\d{7}",
        "phone": r"1[3-9]\d{9}",
        "email": r"[a-z]+\.[a-z]+\d*@[a-z\-]+\.(com|com\.cn|cn)",
    },
    "sales_reps": {"rep_id": r"R\d{4}", "hire_date": r"\d{4}-\d{2}-\d{2}",
                   "is_active": "true|false"},
    "products": {"product_id": r"P\d{4}", "list_price_cny": r"\d+\.\d{2}",
                 "unit_cost_cny": r"\d+\.\d{2}"},
    "opportunities": {"opportunity_id": r"OP\d{6,}", "amount_cny": r"\d+\.\d{2}",
                      "expected_close_date": r"\d{4}-\d{2}-\d{2}"},
    "activities": {"activity_id": r"AC\d{8,}", "duration_minutes": r"\d+"},
    "orders": {"order_id": r"O\d{8}-\d{6}", "order_date": r"\d{4}-\d{2}-\d{2}",
               "rep_id": r"R\d{4}"},
    "order_lines": {
        "line_no": r"\d+",
        "product_id": r"P\d{4}",
        "quantity": r"[1-9]\d*",
        "unit_price_cny": r"\d+\.\d{2}",
        "discount_pct": r"0\.\d{2}",
        "unit_cost_cny": r"\d+\.\d{2}",
    },
    "invoices": {"invoice_id": r"INV\d{8}-\d{6}", "invoice_amount_cny": r"\d+\.\d{2}",
                 "due_date": r"\d{4}-\d{2}-\d{2}"},
    "payments": {"payment_id": r"PAY\d{8}-\d{6}", "paid_amount_cny": r"\d+\.\d{2}"},
    "surveys": {"survey_id": r"SV\d{8}-\d{6}", "satisfaction_score": "[1-5]",
                "nps_score": r"\d|10"},
    "complaints": {"complaint_id": r"CP\d{8}-\d{6}"},
    "tickets": {"ticket_id": r"TK\d{8}-\d{6}",
                "opened_at": r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}"},
}  # fmt: skip

ENUMS = {
    ("orders", "status"): ORDER_STATUSES,
    ("orders", "channel"): CHANNELS,
    ("opportunities", "stage"): STAGES,
    ("activities", "activity_type"): ACTIVITY_TYPES,
    ("contacts", "role"): CONTACT_ROLES,
    ("complaints", "category"): COMPLAINT_CATEGORIES,
    ("complaints", "severity"): SEVERITIES,
    ("tickets", "severity"): TICKET_SEVERITIES,
    ("tickets", "channel"): TICKET_CHANNELS,
}


def test_ids_amounts_and_enums_follow_the_formats(db):
    for table, columns in FORMATS.items():
        for column, pattern in columns.items():
            bad = one(
                db,
                f"select count(*) from {table} where not regexp_full_match({column}, '{pattern}')",
            )
            assert bad == 0, f"{table}.{column}"
    for (table, column), allowed in ENUMS.items():
        found = {v for (v,) in db.execute(f"select distinct {column} from {table}").fetchall()}
        assert found == set(allowed), f"{table}.{column}"
    status = dict(db.execute("select status, count(*) from orders group by 1").fetchall())
    total = sum(status.values())
    assert status["completed"] / total == pytest.approx(0.92, abs=0.02)
    assert status["cancelled"] / total == pytest.approx(0.05, abs=0.015)
    assert status["returned"] / total == pytest.approx(0.03, abs=0.015)
    for table, column in (("orders", "order_id"), ("invoices", "invoice_id"),
                          ("payments", "payment_id"), ("activities", "activity_id")):  # fmt: skip
        n, distinct = one(db, f"select count(*), count(distinct {column}) from {table}")
        assert n == distinct, table
    gaps = one(
        db,
        "select count(*) from (select order_id, max(cast(line_no as int)) m, count(*) n "
        "from order_lines group by 1) where m <> n",
    )
    assert gaps == 0
    for table in ("order_lines", "products"):
        price = "unit_price_cny" if table == "order_lines" else "list_price_cny"
        above = one(
            db,
            f"select count(*) from {table} where cast(unit_cost_cny as double) >= {price}::double",
        )
        assert above == 0, table


def test_dimensions_are_canonical_chinese_with_real_cities(db):
    cities = {zh: set(c) for _, zh, _, _, _, _, c in PROVINCES}
    industries = {zh for _, zh, *_ in INDUSTRIES}
    rows = db.execute("select account_name, industry, province, city from accounts").fetchall()
    for name, industry, province, city in rows:
        assert industry in industries
        assert city in cities[province]
        assert name.startswith(city)
        assert name.endswith("公司")
    regions = {zh for _, zh in REGIONS}
    for team, region in db.execute("select team, region from sales_reps").fetchall():
        assert region in regions
        assert team.startswith(region)
    per_account = "select account_id, count(distinct contact_id) n from contacts group by 1"
    assert one(db, f"select min(n), max(n) from ({per_account})") == (2, 5)
    assert one(
        db, "select count(distinct category), count(distinct product_line) from products"
    ) == (
        6,
        18,
    )


# ------------------------------------------------------------------------------- shapes
def test_top_fifth_of_accounts_makes_most_of_the_revenue(revenue):
    per_account: dict[str, float] = {}
    for account, _, amount in revenue:
        per_account[account] = per_account.get(account, 0.0) + amount
    totals = sorted(per_account.values(), reverse=True)
    top = sum(totals[: round(len(totals) * 0.2)]) / sum(totals)
    assert 0.65 <= top <= 0.85


def test_seasonality_new_year_dip_year_end_peak_and_quiet_weekends(revenue):
    by_month: dict[tuple[int, int], float] = {}
    weekend = 0.0
    for _, day, amount in revenue:
        by_month[day.year, day.month] = by_month.get((day.year, day.month), 0.0) + amount
        weekend += amount if day.weekday() >= 5 else 0.0
    for year in (2025, 2026):
        assert by_month[year, 2] < 0.75 * by_month[year - 1, 12]
        assert by_month[year, 2] < by_month[year, 3]
    assert by_month[2024, 12] > 1.15 * by_month[2024, 10]
    assert weekend / sum(by_month.values()) < 0.06


def test_account_paths_are_visible_in_monthly_revenue(revenue, paths):
    halves = (date(2025, 1, 1), date(2025, 7, 1), date(2026, 1, 1))  # H1, H2 2025; H1 2026
    sums: dict[str, list[float]] = {}
    first_order: dict[str, date] = {}
    last_order: dict[str, date] = {}
    for account, day, amount in revenue:
        path, _ = paths[account]
        s = sums.setdefault(path, [0.0, 0.0, 0.0])
        for k in (2, 1, 0):
            if day >= halves[k]:
                s[k] += amount
                break
        first_order[account] = min(day, first_order.get(account, day))
        last_order[account] = max(day, last_order.get(account, day))
    # last six months against the six before, relative to stable accounts (same season)
    ratio = {path: s[2] / s[1] for path, s in sums.items() if s[1]}
    assert ratio["growth"] > 1.25 * ratio["stable"]
    assert ratio["decline"] < 0.8 * ratio["stable"]
    assert sums["stable"][2] == pytest.approx(sums["stable"][0], rel=0.3)  # H1 vs H1: flat
    assert sums["growth"][2] > 1.3 * sums["growth"][0]
    for account, (path, path_day) in paths.items():
        if path == "churned" and account in last_order:
            assert last_order[account] < path_day, account  # nothing after the churn day
            assert path_day <= END - timedelta(days=200)
        if path == "new":
            assert END - timedelta(days=9 * 31) <= first_order[account] <= END, account
    new = [a for a, (p, _) in paths.items() if p == "new"]
    assert all(a in first_order for a in new)  # won in the window: a first order follows
    churned = [a for a, (p, d) in paths.items() if p == "churned" and d > START + timedelta(300)]
    assert sum(a in last_order for a in churned) >= 0.8 * len(churned)


def test_satisfaction_falls_and_complaints_rise_before_churn(db, paths):
    surveys = db.execute(
        "select account_id, cast(submitted_at as date), cast(satisfaction_score as int) "
        "from surveys"
    ).fetchall()
    complaints = db.execute("select account_id, cast(created_at as date) from complaints")
    pre, other = [], []
    for account, day, score in surveys:
        path, churn_day = paths[account]
        if path == "churned":
            assert day < churn_day
            (pre if day >= churn_day - timedelta(days=120) else other).append(score)
        elif path == "stable":
            other.append(score)
    assert np.mean(pre) < np.mean(other) - 0.8
    counts = {"pre": 0, "stable": 0}
    for account, day in complaints.fetchall():
        path, churn_day = paths[account]
        if path == "churned" and day >= churn_day - timedelta(days=180):
            counts["pre"] += 1
        elif path == "stable":
            counts["stable"] += 1
    n_churned = sum(p == "churned" for p, _ in paths.values())
    n_stable = sum(p == "stable" for p, _ in paths.values())
    pre_rate = counts["pre"] / (n_churned * 180)
    stable_rate = counts["stable"] / (n_stable * (END - START).days)
    assert pre_rate > 2.5 * stable_rate


def test_invoices_payments_and_late_payers(db):
    bad_gap, bad_terms, not_completed = one(
        db,
        "select count(*) filter (where date_diff('day', cast(o.order_date as date), "
        "cast(i.invoice_date as date)) not between 0 and 5), "
        "count(*) filter (where date_diff('day', cast(i.invoice_date as date), "
        "cast(i.due_date as date)) not in (30, 60, 90)), "
        "count(*) filter (where o.status <> 'completed') "
        "from invoices i join orders o using (order_id)",
    )
    assert (bad_gap, bad_terms, not_completed) == (0, 0, 0)
    late_accounts, accounts, partial, unpaid, overpaid, early = one(
        db,
        "with p as (select invoice_id, sum(cast(paid_amount_cny as decimal(18, 2))) paid, "
        "max(cast(payment_date as date)) last_paid, min(cast(payment_date as date)) first_paid "
        "from payments group by 1), "
        "i as (select i.*, p.paid, p.last_paid, p.first_paid from invoices i "
        "left join p using (invoice_id) where cast(i.due_date as date) < date '2026-01-01') "
        "select count(distinct account_id) filter (where last_paid > cast(due_date as date) "
        "+ interval 30 day), count(distinct account_id), "
        "count(*) filter (where paid < cast(invoice_amount_cny as decimal(18, 2))), "
        "count(*) filter (where paid is null), "
        "count(*) filter (where paid > cast(invoice_amount_cny as decimal(18, 2))), "
        "count(*) filter (where first_paid <= cast(invoice_date as date)) from i",
    )
    assert 0.10 <= late_accounts / accounts <= 0.30
    assert partial > 0
    assert unpaid > 0
    assert (overpaid, early) == (0, 0)


def test_opportunity_funnel_converts_stage_by_stage(db):
    stages = dict(db.execute("select stage, count(*) from opportunities group by 1").fetchall())
    order = ["lead", "needs_confirmed", "proposal", "negotiation", "won"]
    for before, after in itertools.pairwise(order):
        assert 0.55 <= stages[after] / stages[before] <= 0.78, after
    assert stages["lost"] + stages["won"] <= stages["lead"]


def test_sales_cycle_depends_on_region_industry_and_size(db, world):
    """East-China, manufacturing and large accounts close faster (seed 002: East-China
    manufacturers with 500+ staff close in about 45 days)."""
    cycles = db.execute(
        "select account_id, date_diff('day', min(cast(stage_changed_at as timestamp)), "
        "max(cast(stage_changed_at as timestamp))) from opportunities "
        "group by opportunity_id, account_id having count(*) filter (where stage = 'won') = 1"
    ).fetchall()
    acc = world.accounts
    index = {a: i for i, a in enumerate(acc.ids)}
    groups: dict[str, list[int]] = {}
    for account, cycle in cycles:
        i = index[account]
        region, industry, staff = (
            REGIONS[acc.region[i]][0],
            INDUSTRIES[acc.industry[i]][0],
            acc.emp0[i],
        )
        keys = [
            {"east": "east", "northeast": "far", "northwest": "far"}.get(region),
            {
                "manufacturing": "maker",
                "finance": "slow_industry",
                "healthcare": "slow_industry",
            }.get(industry),
            "large" if staff >= 500 else "small" if staff < 100 else None,
        ]
        for key in filter(None, keys):
            groups.setdefault(key, []).append(cycle)
    for fast, slow in (("east", "far"), ("maker", "slow_industry"), ("large", "small")):
        assert np.mean(groups[fast]) < 0.9 * np.mean(groups[slow]), (fast, slow)
    assert 40 <= np.mean(groups["east"]) <= 70


def test_account_attributes_change_over_time(db, sample):
    _, summary = sample
    rows = db.execute(
        "select account_id, owner_rep_id, employee_count, annual_revenue_cny, updated_at "
        "from accounts order by account_id, updated_at"
    ).fetchall()
    first_file = {a for a, *_, updated in rows if updated.startswith(START.isoformat())}
    owner_changes = size_changes = 0
    previous: dict[str, tuple] = {}
    for account, owner, employees, revenue_cny, _ in rows:
        if account in previous:
            p_owner, p_emp, p_rev = previous[account]
            owner_changes += owner != p_owner
            size_changes += (employees, revenue_cny) != (p_emp, p_rev)
        previous[account] = (owner, employees, revenue_cny)
    years = (END - START).days / 365
    assert 0.05 < owner_changes / summary.accounts / years < 0.2
    assert size_changes > 0.05 * summary.accounts
    assert len(previous) == summary.accounts
    # accounts created before the window all come in the first day's file
    assert len(first_file) > 0.7 * summary.accounts


# ------------------------------------------------------------------------------ defects
D_START, D_END = date(2025, 3, 1), date(2025, 6, 30)


@pytest.fixture(scope="module")
def defective(tmp_path_factory) -> tuple[Path, GenerationSummary]:
    landing = tmp_path_factory.mktemp("defects") / "landing"
    summary = generate(landing, start=D_START, end=D_END, seed=SEED, scale=1.0, defects=0.05)
    return landing, summary


@pytest.fixture(scope="module")
def ddb(defective, tmp_path_factory):
    con = load(defective[0], D_START, D_END, tmp_path_factory.mktemp("ddb"))
    yield con
    con.close()


def test_every_defect_kind_is_injected_and_counted(defective):
    _, summary = defective
    kinds = {
        "duplicate_row", "resent_rows", "missing_key", "orphan_account", "orphan_order_line",
        "bad_quantity", "thousands_separator", "date_format", "future_date",
        "score_out_of_range", "messy_dimension", "unknown_enum",
    }  # fmt: skip
    assert set(summary.defects) == kinds
    for kind in kinds:
        assert sum(summary.defects[kind].values()) > 0, kind
    for kind, per_entity in summary.defects.items():
        variants = {k: v for k, v in summary.defect_variants.items() if k.startswith(kind + ":")}
        for entity, count in per_entity.items():
            assert count == sum(v.get(entity, 0) for v in variants.values())
    for variant in ("slash", "compact", "dmy", "impossible"):
        assert summary.defect_variants[f"date_format:{variant}"]["erp/orders"] > 0


def test_duplicate_rows_in_files_match_the_summary(defective):
    landing, summary = defective
    for entity in DAILY:
        duplicates = 0
        for day in days(D_START, D_END):
            lines = entity.path_for(landing, day).read_text(encoding="utf-8").splitlines()
            lines = lines[1:] if entity.file_format == "csv" else lines
            # re-sent rows come from the previous day: they never repeat a row of this day
            duplicates += len(lines) - len(set(lines))
        assert duplicates == summary.defects["duplicate_row"].get(entity.key, 0), entity.key


def test_resent_rows_repeat_the_previous_days_rows(ddb, defective):
    _, summary = defective
    # a re-sent row is yesterday's clean row: its order_date is the day before the file's
    resent = one(
        ddb,
        "select count(*) from orders where order_date = "
        "strftime(cast(regexp_extract(filename, '(\\d{4}-\\d{2}-\\d{2})', 1) as date) - 1, "
        "'%Y-%m-%d')",
    )
    assert resent == summary.defects["resent_rows"]["erp/orders"] > 0


def test_missing_keys_in_files_match_the_summary(ddb, defective):
    _, summary = defective
    orders = one(
        ddb,
        "select count(*) from orders where coalesce(order_id, '') = '' "
        "or coalesce(account_id, '') = ''",
    )
    surveys = one(ddb, "select count(*) from surveys where coalesce(account_id, '') = ''")
    assert orders == summary.defects["missing_key"]["erp/orders"]
    assert surveys == summary.defects["missing_key"]["feedback/surveys"]


def test_defect_values_are_the_documented_ones(ddb, defective):
    _, summary = defective
    counts = {
        ("orphan_account", "erp/orders"): "select count(*) from orders where account_id like 'A9%'",
        ("orphan_account", "feedback/surveys"): (
            "select count(*) from surveys where account_id like 'A9%'"
        ),
        ("orphan_order_line", "erp/order_lines"): (
            "select count(*) from order_lines where order_id not in "
            "(select order_id from orders where order_id is not null) "
            "and regexp_full_match(order_id, 'O\\d{8}-9\\d{5}')"
        ),
        ("bad_quantity", "erp/order_lines"): (
            "select count(*) from order_lines where try_cast(quantity as int) is null "
            "or cast(quantity as int) <= 0"
        ),
        ("unknown_enum", "erp/orders"): (
            "select count(*) from orders where status = 'pending_review'"
        ),
        ("unknown_enum", "crm/opportunities"): (
            "select count(*) from opportunities where stage = 'on_hold'"
        ),
        ("score_out_of_range", "feedback/surveys"): (
            "select count(*) from surveys where cast(satisfaction_score as int) "
            "not between 1 and 5 or cast(nps_score as int) not between 0 and 10"
        ),
        ("future_date", "erp/orders"): (
            "select count(*) from orders where try_cast(order_date as date) > "
            "cast(regexp_extract(filename, '(\\d{4}-\\d{2}-\\d{2})', 1) as date) + 365"
        ),
    }
    for (kind, key), sql in counts.items():
        assert one(ddb, sql) == summary.defects[kind][key], (kind, key)
    separated = ddb.execute(
        "select unit_price_cny from order_lines where unit_price_cny like '%,%'"
    ).fetchall()
    assert len(separated) == summary.defects["thousands_separator"]["erp/order_lines"]
    for (price,) in separated:  # quoted in the file; a valid amount once the commas go
        assert re.fullmatch(r"\d{1,3}(,\d{3})+\.\d{2}", price)
    dates = [d for (d,) in ddb.execute("select order_date from orders").fetchall()]
    valid = [d for d in dates if re.fullmatch(r"\d{4}/\d{2}/\d{2}|\d{8}", d)]
    assert len(valid) == sum(
        summary.defect_variants[f"date_format:{v}"]["erp/orders"] for v in ("slash", "compact")
    )


def test_messy_labels_map_onto_the_alias_seeds(ddb, defective):
    _, summary = defective
    industry_alias = {r["alias"] for r in seed_rows("industry_aliases")}
    province_alias = {r["alias"] for r in seed_rows("province_aliases")}
    canonical_industries = {r["industry_name_zh"] for r in seed_rows("industries")}
    canonical_provinces = {r["province_name_zh"] for r in seed_rows("provinces")}
    messy = 0
    for industry, province in ddb.execute("select industry, province from accounts").fetchall():
        assert industry in canonical_industries or normalise(industry) in industry_alias
        assert province in canonical_provinces or normalise(province) in province_alias
        messy += (industry not in canonical_industries) + (province not in canonical_provinces)
    assert messy == summary.defects["messy_dimension"]["crm/accounts"]
    enum_aliases = {r["alias"] for r in seed_rows("enum_aliases")}
    for (status,) in ddb.execute("select distinct status from orders").fetchall():
        assert status in enum_aliases or status == "pending_review"
    for (stage,) in ddb.execute("select distinct stage from opportunities").fetchall():
        assert stage in enum_aliases or stage == "on_hold"


def test_defects_are_added_to_the_clean_sample(tmp_path, defective):
    """The defective sample is the clean one plus injected rows and values: the same seed
    draws the same business."""
    landing, _ = defective
    clean = tmp_path / "clean"
    generate(clean, start=D_START, end=D_END, seed=SEED, scale=1.0)
    entity = ENTITIES_BY_KEY["feedback/tickets"]  # only duplicates: every clean row is there
    for day in days(D_START, D_END):
        a = entity.path_for(clean, day).read_text(encoding="utf-8").splitlines()
        b = entity.path_for(landing, day).read_text(encoding="utf-8").splitlines()
        assert list(dict.fromkeys(b)) == a


# ---------------------------------------------------------------------------- streaming
def test_files_are_written_month_by_month(tmp_path, monkeypatch):
    """The first day's files are on disk before later months are even drawn."""
    months_drawn: list[int] = []
    drawn_when_written: dict[str, int] = {}
    month = events_module.EventEngine.month
    write = writer_module.LandingWriter._write

    def counting_month(self, first, last, index):
        months_drawn.append(index)
        return month(self, first, last, index)

    def recording_write(self, entity, path, lines):
        drawn_when_written.setdefault(path.name, len(months_drawn))
        return write(self, entity, path, lines)

    monkeypatch.setattr(events_module.EventEngine, "month", counting_month)
    monkeypatch.setattr(writer_module.LandingWriter, "_write", recording_write)
    generate(tmp_path, start=date(2024, 1, 1), end=date(2024, 4, 30), scale=0.2)
    assert months_drawn == [0, 1, 2, 3]
    assert drawn_when_written["orders_2024-01-01.csv"] == 1
    assert drawn_when_written["orders_2024-04-30.csv"] == 4


def test_peak_memory_does_not_grow_with_the_number_of_rows(tmp_path):
    peaks, rows = [], []
    for end in (date(2024, 3, 31), date(2024, 5, 31)):
        tracemalloc.start()
        summary = generate(tmp_path / str(end), start=date(2024, 3, 1), end=end, scale=1.5)
        peaks.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
        rows.append(summary.rows["erp/order_lines"])
    assert rows[1] > 2.5 * rows[0]
    assert peaks[1] < 1.3 * peaks[0]


def test_order_lines_scale_linearly(tmp_path):
    counts = []
    for scale in (0.4, 0.8):
        summary = generate(
            tmp_path / str(scale), start=date(2024, 3, 1), end=date(2024, 4, 30), scale=scale
        )
        counts.append(summary.rows["erp/order_lines"])
        assert summary.accounts == round(500 * scale)
    assert 1.6 < counts[1] / counts[0] < 2.4


# --------------------------------------------------------------------------- reference
def test_embedded_reference_lists_match_the_dbt_seeds():
    industries = {r["industry_code"]: r for r in seed_rows("industries")}
    industry_alias = {r["alias"]: r["industry_code"] for r in seed_rows("industry_aliases")}
    assert {i[0] for i in INDUSTRIES} == set(industries)
    for code, zh, en, _, _, variants in INDUSTRIES:
        assert industries[code]["industry_name_zh"] == zh
        assert industries[code]["industry_name_en"] == en
        for variant in (en, en.upper(), en.lower(), *variants):
            assert industry_alias[normalise(variant)] == code, variant
    provinces = {r["province_code"]: r for r in seed_rows("provinces")}
    province_alias = {r["alias"]: r["province_code"] for r in seed_rows("province_aliases")}
    assert {p[0] for p in PROVINCES} == set(provinces)
    for code, zh, en, region, full, _, _ in PROVINCES:
        row = provinces[code]
        assert (row["province_name_zh"], row["province_name_en"]) == (zh, en)
        assert row["region_code"] == region
        for variant in province_variants(en, full):
            assert province_alias[normalise(variant)] == code, variant
    assert [(r["region_code"], r["region_name_zh"]) for r in seed_rows("regions")] == list(REGIONS)
    assert [r["stage_code"] for r in seed_rows("opportunity_stages")] == list(STAGES)
    enum = {(r["domain"], r["alias"]): r["code"] for r in seed_rows("enum_aliases")}
    codes = {
        "order_status": ORDER_STATUSES,
        "order_channel": CHANNELS,
        "opportunity_stage": STAGES,
        "activity_type": ACTIVITY_TYPES,
        "contact_role": CONTACT_ROLES,
        "complaint_category": COMPLAINT_CATEGORIES,
        "severity": SEVERITIES,
        "ticket_severity": TICKET_SEVERITIES,
        "ticket_channel": TICKET_CHANNELS,
    }
    for domain, values in codes.items():
        assert {c for (d, _), c in enum.items() if d == domain} == set(values), domain
    for domain, aliases in ENUM_ALIASES_ZH.items():
        for code, alias in aliases.items():
            assert enum[domain, alias] == code
