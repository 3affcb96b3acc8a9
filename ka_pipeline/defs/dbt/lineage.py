"""Column lineage of a dbt model, from its compiled SQL (sqlglot).

`qualify` needs the column names of every table the model reads (to expand `select *`
and to attribute unqualified columns); they come from the warehouse's information_schema.
Each output column is traced through the model's CTEs and subqueries down to columns of
tables that are Dagster assets. Lineage helps readers and never fails a build: a column
whose sources cannot be resolved (a literal, a table that is no dbt model, seed or
source) is left out, and a model whose SQL sqlglot cannot parse or follow gets none.
"""

from __future__ import annotations

from collections.abc import Mapping

import sqlglot
from dagster import AssetKey, TableColumnDep, TableColumnLineage
from sqlglot import exp
from sqlglot.lineage import Node, lineage
from sqlglot.optimizer.qualify import qualify
from sqlglot.optimizer.scope import build_scope
from sqlglot.schema import MappingSchema

DIALECT = "duckdb"
Relation = tuple[str, str]  # (schema, table)


def column_lineage(
    sql: str, schema: MappingSchema, assets: Mapping[Relation, AssetKey]
) -> TableColumnLineage | None:
    """The lineage of each output column of `sql` that reads columns of `assets`."""
    try:
        nodes = _lineage_nodes(sql, schema)
        deps_by_column = {
            column: [TableColumnDep(asset_key=key, column_name=name) for key, name in deps]
            for column, node in nodes.items()
            if (deps := _asset_columns(node, assets))
        }
    except Exception:  # sqlglot raises more than SqlglotError on SQL it cannot follow
        return None
    return TableColumnLineage(deps_by_column=deps_by_column) if deps_by_column else None


def _lineage_nodes(sql: str, schema: MappingSchema) -> dict[str, Node]:
    expression = qualify(
        sqlglot.parse_one(sql, dialect=DIALECT),
        dialect=DIALECT,
        schema=schema,
        validate_qualify_columns=False,
        identify=False,
    )
    # trim_selects copies every select for display, most of the time taken: the graph is
    # the same without it; the parsed expression is ours, so no copy either
    return lineage(
        None,
        expression,
        schema,
        dialect=DIALECT,
        scope=build_scope(expression),
        trim_selects=False,
        copy=False,
    )


def _asset_columns(node: Node, assets: Mapping[Relation, AssetKey]) -> list[tuple[AssetKey, str]]:
    """The (asset, column) leaves of one output column's lineage graph, sorted."""
    leaves = {
        (assets[relation], exp.to_column(leaf.name).name)
        for leaf in node.walk()
        if isinstance(leaf.expression, exp.Table)
        and (relation := (leaf.expression.db, leaf.expression.name)) in assets
    }
    return sorted(leaves, key=lambda dep: (dep[0].to_user_string(), dep[1]))
