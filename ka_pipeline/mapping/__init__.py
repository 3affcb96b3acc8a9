"""Mapping files: point the pipeline at a company's own CRM / ERP / feedback exports.

`schema` reads and validates a mapping file; the loader (`ka_pipeline.extract`) reads the
files it describes; `check` is the dry run behind `ka-pipeline check-mapping`.
"""

from ka_pipeline.mapping.schema import (
    ColumnSpec,
    EntityMapping,
    Mapping,
    MappingError,
    load_mapping,
    parse_mapping,
)

__all__ = [
    "ColumnSpec",
    "EntityMapping",
    "Mapping",
    "MappingError",
    "load_mapping",
    "parse_mapping",
]
