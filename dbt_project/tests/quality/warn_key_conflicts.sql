-- Warns when a business key was re-delivered with another identifying attribute (an order
-- under another account): the later delivery won, so check that it was meant.
-- quality.dq_key_conflicts lists each case with both values.
{{ config(severity='warn') }}

select
    entity,
    key_value,
    attribute,
    kept_value,
    replaced_value,
    kept_source_file,
    replaced_source_file
from {{ ref('dq_key_conflicts') }}
