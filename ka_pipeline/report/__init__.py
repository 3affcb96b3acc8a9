"""The weekly key-account report: pure Python over the marts (no Dagster here).

Every number it prints is a mart column (dbt_project/models/marts/report/): this package
selects, sorts and renders, and computes nothing (tests/test_report_rules.py).

- `weeks`: ISO report weeks (light);
- `sources`: the marts come from the dbt exposure of the weekly report (dbt manifest);
- `data`: read the marts (read-only, one short session), select and sort them;
- `changes`: the week-over-week changes the marts hold;
- `charts` (matplotlib), `html`, `markdown`, `xlsx`: the renderers;
- `build.build_weekly_report`: one week, every language, written atomically.

Nothing heavy is imported here, so loading the Dagster definitions stays fast.
"""
