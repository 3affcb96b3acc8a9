"""Extraction assets: one per source entity (`raw/<system>/<entity>`).

Daily entities are partitioned by month of business days (see `partitions.py` for why)
with a single-run backfill policy, so a backfill of any range is one run that loads all
its files in one DuckDB scan per entity.
"""

from datetime import timedelta

from dagster import (
    AssetExecutionContext,
    AssetsDefinition,
    BackfillPolicy,
    Failure,
    MaterializeResult,
    MetadataValue,
    PartitionsDefinition,
    TableColumn,
    TableSchema,
    asset,
)
from dagster_duckdb import DuckDBResource

from ka_pipeline.defs.partitions import days_of_months, last_complete_day
from ka_pipeline.defs.resources import WAREHOUSE_POOL, LandingArea
from ka_pipeline.extract.errors import LandingFileError
from ka_pipeline.extract.loader import (
    LoadResult,
    ensure_raw_table,
    expected_deliveries,
    load_deliveries,
)
from ka_pipeline.landing.contract import ENTITIES, LINEAGE_COLUMNS, SourceEntity
from ka_pipeline.mapping import MappingError, load_mapping
from ka_pipeline.mapping.files import describe_future_files, files_not_loaded, future_dated_files

EXTRACT_CODE_VERSION = "1"


def build_extract_asset(entity: SourceEntity, months: PartitionsDefinition) -> AssetsDefinition:
    @asset(
        key=["raw", entity.system, entity.name],
        description=(
            f"{entity.description}\n\nLoaded as delivered (all text) into "
            f"`raw.{entity.table}` with lineage columns {', '.join(LINEAGE_COLUMNS)}. "
            f"Landing path: `<landing>/{entity.path_pattern}`."
        ),
        group_name="extract",
        kinds={"duckdb", "python"},
        owners=["team:data-engineering"],
        tags={"source_system": entity.system},
        partitions_def=months if entity.daily else None,
        backfill_policy=BackfillPolicy.single_run() if entity.daily else None,
        code_version=EXTRACT_CODE_VERSION,
        pool=WAREHOUSE_POOL,
    )
    def _extract(
        context: AssetExecutionContext, warehouse: DuckDBResource, landing: LandingArea
    ) -> MaterializeResult:
        yesterday = last_complete_day(landing.timezone)
        days = days_of_months(context.partition_keys, yesterday) if entity.daily else None
        try:
            mapping = load_mapping(landing.mapping_file)
        except MappingError as error:
            raise Failure(
                description=str(error), metadata={"mapping_file": error.path, "key": error.key}
            ) from None
        entity_mapping = mapping.get(entity.key)
        if entity_mapping is None:
            return _not_mapped(context, warehouse, entity, mapping.source)
        try:
            deliveries = expected_deliveries(entity, landing.path, days, entity_mapping)
            with warehouse.get_connection() as conn:
                result = load_deliveries(conn, entity, deliveries, landing.path, entity_mapping)
                # a daily load replaces only its days: the table holds every day loaded so far
                (table_rows,) = conn.execute(f"select count(*) from raw.{entity.table}").fetchone()
        except LandingFileError as error:
            raise Failure(
                description=str(error),
                metadata={"file": error.path, "rule": error.rule, "detail": error.detail},
            ) from None
        context.log.info(f"{entity.key}: loaded {result.rows} rows from {len(result.files)} files")
        not_loaded = [
            f.describe(landing.path)
            for f in files_not_loaded(mapping, landing.path, entity.key)
            if f.entity == entity.key
        ]
        for line in not_loaded:
            context.log.warning(line)
        metadata = {**_load_metadata(result, table_rows), **_not_loaded_metadata(not_loaded)}
        today = yesterday + timedelta(days=1)
        future = future_dated_files([entity_mapping], landing.path, today)
        if future:  # loaded by no partition until its day: said, not skipped silently
            note = describe_future_files(future, today, landing.timezone)
            context.log.warning(f"{entity.key}: {note}")
            metadata["future_dated_files"] = note
        return MaterializeResult(metadata=metadata)

    _extract.__name__ = f"raw_{entity.system}__{entity.name}"
    return _extract


def _not_mapped(context, warehouse, entity: SourceEntity, mapping_file) -> MaterializeResult:
    """An entity the mapping file does not deliver: an empty raw table, and a clear note."""
    with warehouse.get_connection() as conn:
        ensure_raw_table(conn, entity)
    note = (
        f"{entity.key} is not mapped in {mapping_file}: raw.{entity.table} exists but receives "
        "no files, so the models built only from it (and the marts that need it) are empty."
    )
    context.log.warning(note)
    return MaterializeResult(
        metadata={"not_mapped": note, "dagster/table_name": f"raw.{entity.table}"}
    )


def _load_metadata(result: LoadResult, table_rows: int) -> dict:
    """`dagster/row_count` is the whole raw table; for a daily entity the rows this run
    loaded into its partitions are `dagster/partition_row_count`."""
    entity = result.entity
    columns = [*entity.raw_columns, *(["_raw_line"] if entity.file_format == "jsonl" else [])]
    extra = sorted({c for f in result.files for c in f.extra_columns})
    encodings = sorted({f.encoding for f in result.files})
    return {
        "dagster/table_name": f"raw.{entity.table}",
        "dagster/row_count": table_rows,
        **({"dagster/partition_row_count": result.rows} if entity.daily else {}),
        "files_loaded": len(result.files),
        "empty_files": sum(1 for f in result.files if f.rows == 0),
        "encodings": ", ".join(encodings),
        "extra_columns_ignored": ", ".join(extra) or "none",
        "dagster/column_schema": TableSchema(
            columns=[TableColumn(c, "VARCHAR") for c in columns]
            + [
                TableColumn("_source_file", "VARCHAR", description="delivered file"),
                TableColumn("_row_number", "BIGINT", description="data row in that file"),
                TableColumn("_file_sha256", "VARCHAR", description="checksum of the file"),
                TableColumn("_partition_date", "DATE", description="business day"),
                TableColumn("_loaded_at", "TIMESTAMP", description="load time (UTC)"),
            ]
        ),
        "files": MetadataValue.md(
            "| file | rows | sha256 |\n|---|---|---|\n"
            + "\n".join(
                f"| {f.source_file} | {f.rows} | {f.sha256[:12]} |" for f in result.files[:31]
            )
            + (f"\n\n… and {len(result.files) - 31} more files" if len(result.files) > 31 else "")
        ),
    }


def _not_loaded_metadata(not_loaded: list[str]) -> dict:
    """Files in the entity's folder whose names fit no mapped path: no run loads them."""
    listed = "\n".join(f"- {line}" for line in not_loaded[:31])
    more = f"\n\n… and {len(not_loaded) - 31} more files" if len(not_loaded) > 31 else ""
    return {
        "files_not_loaded": len(not_loaded),
        "not_loaded": MetadataValue.md(listed + more if not_loaded else "none"),
    }


def build_extract_assets(months: PartitionsDefinition) -> list[AssetsDefinition]:
    """One asset per landing entity; the daily ones partitioned by `months`."""
    return [build_extract_asset(entity, months) for entity in ENTITIES]
