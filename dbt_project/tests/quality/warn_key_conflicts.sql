-- Warns when a business key was re-delivered with another identifying attribute (an order
-- under another account): the later delivery won, so check that it was meant.
-- quality.dq_key_conflicts lists each case with both values.
{{ config(severity='warn') }}

select * from {{ ref('dq_key_conflicts') }}
