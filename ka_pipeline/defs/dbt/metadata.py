"""Row counts and column schemas for dbt materializations, read after dbt exits.

dagster-dbt's `fetch_row_counts()` queries through the adapter while the dbt process still
holds the DuckDB file, which a single-writer file does not allow; so the events are
buffered and enriched once dbt has released the file.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from dagster import Output, TableColumn, TableSchema
from dagster_duckdb import DuckDBResource


def with_table_metadata(
    events: Iterable[Any], manifest: Mapping[str, Any], warehouse: DuckDBResource
) -> Iterator[Any]:
    events = list(events)
    relations = {
        uid: (node["schema"], node.get("alias") or node["name"])
        for uid, node in manifest["nodes"].items()
        if node["resource_type"] in ("model", "seed", "snapshot")
    }
    with warehouse.get_connection() as conn:
        for event in events:
            unique_id = getattr(event, "metadata", {}).get("unique_id")
            unique_id = getattr(unique_id, "value", unique_id)
            if isinstance(event, Output) and unique_id in relations:
                schema, table = relations[unique_id]
                node = manifest["nodes"][unique_id]
                yield event.with_metadata(
                    {**event.metadata, **_table_metadata(conn, schema, table, node)}
                )
            else:
                yield event


def _table_metadata(conn, schema: str, table: str, node: Mapping[str, Any]) -> dict[str, Any]:
    columns = conn.execute(
        "select column_name, data_type from information_schema.columns "
        "where table_schema = ? and table_name = ? order by ordinal_position",
        [schema, table],
    ).fetchall()
    if not columns:  # ephemeral model or not built in this run
        return {}
    (row_count,) = conn.execute(f'select count(*) from "{schema}"."{table}"').fetchone()
    described = node.get("columns", {})
    return {
        "dagster/row_count": row_count,
        "dagster/relation_identifier": f"{schema}.{table}",
        "dagster/column_schema": TableSchema(
            columns=[
                TableColumn(name, data_type, description=described.get(name, {}).get("description"))
                for name, data_type in columns
            ]
        ),
    }
