"""Column lineage of a dbt model, from its compiled SQL (sqlglot).

`qualify` needs the column names of every table the model reads (to expand `select *`
and to attribute unqualified columns); they come from the warehouse's information_schema.
Each output column is traced through the model's CTEs and subqueries down to columns of
tables that are Dagster assets. A column whose sources cannot be resolved (SQL sqlglot
cannot parse or qualify, a table that is no dbt model, seed or source) is left out:
lineage helps readers, it never fails a build.
"""

from __future__ import annotations

from collections.abc import Mapping

import sqlglot
from dagster import AssetKey, TableColumnDep, TableColumnLineage
from sqlglot import exp
from sqlglot.errors import SqlglotError
from sqlglot.lineage import lineage
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
        expression = qualify(
            sqlglot.parse_one(sql, dialect=DIALECT),
            dialect=DIALECT,
            schema=schema,
            validate_qualify_columns=False,
            identify=False,
        )
        # trim_selects copies every select for display, most of the time taken: the graph
        # is the same without it; the parsed expression is ours, so no copy either
        nodes = lineage(
            None,
            expression,
            schema,
            dialect=DIALECT,
            scope=build_scope(expression),
            trim_selects=False,
            copy=False,
        )
    except SqlglotError:
        return None
    deps_by_column = {}
    for column, node in nodes.items():
        deps = sorted(
            {
                (assets[relation], exp.to_column(leaf.name).name)
                for leaf in node.walk()
                if isinstance(leaf.expression, exp.Table)
                and (relation := (leaf.expression.db, leaf.expression.name)) in assets
            },
            key=lambda dep: (dep[0].to_user_string(), dep[1]),
        )
        if deps:
            deps_by_column[column] = [TableColumnDep(asset_key=k, column_name=c) for k, c in deps]
    return TableColumnLineage(deps_by_column=deps_by_column) if deps_by_column else None
