-- Personal data (contact name, phone, e-mail) never leaves raw / staging: fails on any
-- column of the core, marts or quality schemas named like one. Runs after the models
-- that could leak it:
-- depends_on: {{ ref('dim_contacts') }}
-- depends_on: {{ ref('dq_quarantined_rows') }}

select
    table_schema,
    table_name,
    column_name
from information_schema.columns
where
    table_schema in ('core', 'marts', 'quality')
    and lower(column_name) in ('contact_name', 'phone', 'email', 'phone_number', 'email_address')
