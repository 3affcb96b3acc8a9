"""dbt-duckdb plugins, loaded by `dbt_project/profiles.yml`."""
