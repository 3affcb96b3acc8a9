"""Table metadata for dbt materializations, read after dbt exits.

dagster-dbt's `fetch_row_counts()` / `fetch_column_metadata()` query through the adapter
while the dbt process still holds the DuckDB file, which a single-writer file does not
allow; so the step buffers dbt's events and enriches them here once dbt has released the
file: `dagster/table_name`, `dagster/row_count`, `dagster/column_schema` and, for models,
`dagster/column_lineage` (`lineage.py`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from dagster import AssetKey, Output, TableColumn, TableSchema
from dagster_duckdb import DuckDBResource
from sqlglot.schema import MappingSchema

from ka_pipeline.defs.dbt.lineage import DIALECT, Relation, column_lineage
from ka_pipeline.defs.dbt.translator import KaDbtTranslator

Columns = dict[str, str]  # column name -> data type, in table order


def with_table_metadata(
    events: Iterable[Any],
    manifest: Mapping[str, Any],
    compiled_sql: Mapping[str, str],
    warehouse: DuckDBResource,
) -> Iterator[Any]:
    """`events` of a finished dbt invocation; `compiled_sql` by unique_id (run_results)."""
    nodes = {
        uid: node
        for uid, node in manifest["nodes"].items()
        if node["resource_type"] in ("model", "seed", "snapshot")
    }
    with warehouse.get_connection() as conn:
        tables = _warehouse_columns(conn)
        schema = MappingSchema(tables, dialect=DIALECT, normalize=False)
        assets = _assets_by_relation(manifest)
        for event in events:
            unique_id = getattr(event, "metadata", {}).get("unique_id")
            unique_id = getattr(unique_id, "value", unique_id)
            node = nodes.get(unique_id)
            columns = _columns(tables, node) if isinstance(event, Output) and node else None
            if not columns:  # not a table, or not built (an ephemeral model)
                yield event
                continue
            metadata = _table_metadata(conn, node, columns)
            if unique_id in compiled_sql:
                lineage = column_lineage(compiled_sql[unique_id], schema, assets)
                if lineage:
                    metadata["dagster/column_lineage"] = lineage
            yield event.with_metadata({**event.metadata, **metadata})


def _relation(node: Mapping[str, Any]) -> Relation:
    return node["schema"], node.get("alias") or node.get("identifier") or node["name"]


def _columns(tables: Mapping[str, Mapping[str, Columns]], node: Mapping[str, Any]) -> Columns:
    schema, table = _relation(node)
    return tables.get(schema, {}).get(table, {})


def _warehouse_columns(conn) -> dict[str, dict[str, Columns]]:
    """schema -> table -> columns of every table in the warehouse, in one query."""
    tables: dict[str, dict[str, Columns]] = defaultdict(dict)
    for schema, table, column, data_type in conn.execute(
        "select table_schema, table_name, column_name, data_type from information_schema.columns "
        "where table_catalog = current_database() "
        "order by table_schema, table_name, ordinal_position"
    ).fetchall():
        tables[schema].setdefault(table, {})[column] = data_type
    return dict(tables)


def _assets_by_relation(manifest: Mapping[str, Any]) -> dict[Relation, AssetKey]:
    translator = KaDbtTranslator()
    return {
        _relation(props): translator.get_asset_key(props)
        for props in [*manifest["nodes"].values(), *manifest["sources"].values()]
        if props["resource_type"] in ("model", "seed", "snapshot", "source")
    }


def _table_metadata(conn, node: Mapping[str, Any], columns: Columns) -> dict[str, Any]:
    schema, table = _relation(node)
    (row_count,) = conn.execute(f'select count(*) from "{schema}"."{table}"').fetchone()
    described = node.get("columns", {})
    return {
        "dagster/table_name": f"{schema}.{table}",
        "dagster/row_count": row_count,
        "dagster/column_schema": TableSchema(
            columns=[
                TableColumn(name, data_type, description=described.get(name, {}).get("description"))
                for name, data_type in columns.items()
            ]
        ),
    }
