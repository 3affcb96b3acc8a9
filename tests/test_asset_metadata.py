"""Dagster's table metadata on real materializations: dbt models (table name, row count,
column schema, column lineage) and extraction (whole table vs the run's partitions)."""

from __future__ import annotations

import pytest
from conftest import extract_assets
from dagster import AssetKey, DagsterInstance, TableColumnDep, materialize
from sqlglot.schema import MappingSchema

from ka_pipeline.defs.dbt.lineage import column_lineage
from ka_pipeline.defs.resources import build_resources

pytestmark = pytest.mark.slow

TIERS = AssetKey(["marts", "mart_account_tiers"])


def latest_metadata(instance: DagsterInstance, key: AssetKey) -> dict:
    event = instance.get_latest_materialization_event(key)
    assert event is not None, key.to_user_string()
    return event.asset_materialization.metadata


def test_mart_materializations_carry_table_metadata_and_column_lineage(clean_build):
    instance = DagsterInstance.from_config(str(clean_build.root / "dagster_home"))
    metadata = latest_metadata(instance, TIERS)
    assert metadata["dagster/table_name"].value == "marts.mart_account_tiers"
    assert "dagster/relation_identifier" not in metadata
    (rows,) = clean_build.query("select count(*) from marts.mart_account_tiers")[0]
    assert metadata["dagster/row_count"].value == rows > 0
    columns = [c.name for c in metadata["dagster/column_schema"].schema.columns]
    assert {"account_id", "account_name"} <= set(columns)

    lineage = metadata["dagster/column_lineage"].value.deps_by_column
    # coalesce(accounts.account_name, classified.account_id): the name the marts display
    # comes from int_accounts_as_of, which takes it from dim_accounts
    as_of = AssetKey(["marts", "int_accounts_as_of"])
    assert TableColumnDep(as_of, "account_name") in lineage["account_name"]
    as_of_lineage = latest_metadata(instance, as_of)["dagster/column_lineage"].value
    dim_name = TableColumnDep(AssetKey(["core", "dim_accounts"]), "account_name")
    assert dim_name in as_of_lineage.deps_by_column["account_name"]
    # every dependency is a column of a materialized upstream asset
    used: dict[AssetKey, set[str]] = {}
    for dep in (dep for deps in lineage.values() for dep in deps):
        used.setdefault(dep.asset_key, set()).add(dep.column_name)
    assert AssetKey(["marts", "mart_account_rfm"]) in used and TIERS not in used
    for key, used_columns in used.items():
        schema = latest_metadata(instance, key)["dagster/column_schema"].schema
        assert used_columns <= {c.name for c in schema.columns}, key.to_user_string()


def test_lineage_leaves_out_what_it_cannot_resolve():
    schema = MappingSchema(
        {"core": {"dim_accounts": {"account_id": "VARCHAR", "account_name": "VARCHAR"}}},
        dialect="duckdb",
        normalize=False,
    )
    dim = AssetKey(["core", "dim_accounts"])
    lineage = column_lineage(
        "with a as (select * from core.dim_accounts) "
        "select a.account_name as name, 'x' as tag, u.v from a cross join other.unknown as u",
        schema,
        {("core", "dim_accounts"): dim},
    )
    # the literal and the column of a table that is no asset have no lineage
    assert lineage.deps_by_column == {"name": [TableColumnDep(dim, "account_name")]}
    assert column_lineage("select from where (", schema, {("core", "dim_accounts"): dim}) is None


def test_extraction_reports_the_whole_table_and_the_runs_partition_rows(clean_build):
    orders = next(a for a in extract_assets() if a.key == AssetKey(["raw", "erp", "orders"]))
    # re-extracting a month is idempotent (test_pipeline_e2e): the shared build is unchanged
    result = materialize(
        [orders], partition_key="2024-03-01", resources=build_resources(clean_build.settings)
    )
    metadata = result.asset_materializations_for_node(orders.op.name)[0].metadata
    (month,) = clean_build.query(
        "select count(*) from raw.erp__orders "
        "where _partition_date between '2024-03-01' and '2024-03-31'"
    )[0]
    (table,) = clean_build.query("select count(*) from raw.erp__orders")[0]
    assert metadata["dagster/partition_row_count"].value == month > 0
    assert metadata["dagster/row_count"].value == table > month
    assert metadata["dagster/table_name"].value == "raw.erp__orders"
    # an undated entity (a snapshot) replaces its whole table: no partition count
    instance = DagsterInstance.from_config(str(clean_build.root / "dagster_home"))
    products = latest_metadata(instance, AssetKey(["raw", "erp", "products"]))
    assert "dagster/partition_row_count" not in products
    (rows,) = clean_build.query("select count(*) from raw.erp__products")[0]
    assert products["dagster/row_count"].value == rows > 0
