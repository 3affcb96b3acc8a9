"""The weekly key-account report: pure Python over the marts (no Dagster here).

- `sources`: which marts the report reads (light: imported by the Dagster definitions);
- `weeks`: ISO report weeks (light);
- `data`: read the marts (read-only, one short session) and reshape them;
- `state`: the per-week account snapshot and the week-over-week comparison;
- `charts` (matplotlib), `html`, `markdown`, `xlsx`: the renderers;
- `build.build_weekly_report`: one week, every language, written atomically.

Nothing heavy is imported here, so loading the Dagster definitions stays fast.
"""
