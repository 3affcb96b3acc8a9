"""Great Expectations suites as Dagster asset checks.

`build_gx_checks` is the one factory: it turns suite files, each bound to a frame-loading
function, into asset checks (one check per suite, named `gx_<relation>`, on the suite's
asset). The checks of one layer run in one step, so GX is imported once per step and a
nightly run pays for it twice at most (raw before dbt, marts after it):

- `raw_quality_checks`: the raw suites, on the batch the run delivered (the nightly run's
  business day; a backfill's days as one batch; see `run_days`), before dbt: the delivery
  as delivered (columns, row count, values present). Blocking: an ERROR failure stops dbt
  and everything downstream in the run. Rules on typed values are the `delivered_*` dbt
  tests on the base_ models, each model's `dbt_tests` check (`defs/dbt/test_checks.py`).
- `mart_quality_checks`: the mart suites, on the whole (account-grain) tables, after dbt.
  Blocking: an ERROR failure stops the report and publish assets downstream of the marts.

A suite fails with ERROR severity when any of its `critical` expectations fails, with WARN
when only `warning` ones fail (WARN never blocks). The metadata lists each failed expectation
with its counts, expected vs. observed values, sample values and the delivered file / row.

No `from __future__ import annotations`: Dagster resolves the context annotation at
decoration time.
"""

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from time import perf_counter

import duckdb
from dagster import (
    AssetCheckExecutionContext,
    AssetCheckKey,
    AssetCheckResult,
    AssetChecksDefinition,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetKey,
    MetadataValue,
    multi_asset_check,
)

from ka_pipeline.defs.partitions import days_of_months, last_complete_day
from ka_pipeline.defs.resources import WAREHOUSE_POOL
from ka_pipeline.quality.batches import read_batch
from ka_pipeline.quality.frames import Batch
from ka_pipeline.quality.raw_batch import RawBatch
from ka_pipeline.quality.results import SuiteResult
from ka_pipeline.quality.suites import Suite, load_suites

FrameLoader = Callable[[duckdb.DuckDBPyConnection, Suite, Sequence[date] | None], Batch | RawBatch]


@dataclass(frozen=True)
class SuiteBinding:
    """A suite and the function that reads the frame it validates."""

    suite: Suite
    load: FrameLoader = read_batch

    @property
    def check_key(self) -> AssetCheckKey:
        return AssetCheckKey(AssetKey(list(self.suite.asset_key)), self.suite.check_name)

    @property
    def entity_key(self) -> str | None:
        """`crm/accounts` for a raw suite (a landing entity), None for the others."""
        prefix, *rest = self.suite.asset_key
        return "/".join(rest) if prefix == "raw" else None


def _unmapped_entities(mapping_file: str) -> set[str]:
    """Landing entities the configured mapping does not deliver: their raw tables are empty
    by design (e.g. an orders-only adoption), so their suites do not apply."""
    from ka_pipeline.mapping import load_mapping

    return set(load_mapping(mapping_file).unmapped)


def _not_mapped(binding: SuiteBinding, why: str) -> AssetCheckResult:
    """A pass that says the suite did not apply: its data is absent by the mapping's design."""
    return AssetCheckResult(
        asset_key=binding.check_key.asset_key,
        check_name=binding.check_key.name,
        passed=True,
        description=f"Not evaluated: {why} (KA_MAPPING_FILE), so the table is empty by design.",
        metadata={"suite": binding.suite.relative_path, "not_mapped": why},
    )


def asset_key_for_relation(relation: str) -> AssetKey:
    """`raw.crm__accounts` -> raw/crm/accounts; `core.fct_order_lines` -> core/fct_order_lines."""
    schema, name = relation.split(".", 1)
    if schema == "raw":
        return AssetKey(["raw", *name.split("__", 1)])
    return AssetKey([schema, name])


def _other_relations(suite: Suite) -> set[str]:
    """Relations a suite reads besides its own table (the facts a mart reconciles with)."""
    relations = set()
    if any(p.get("provider") == "fact_revenue" for p in suite.parameters.values()):
        relations.add("core.fct_order_lines")
    return relations - {suite.table}


def check_spec(suite: Suite, known_assets: set[AssetKey] | None = None) -> AssetCheckSpec:
    errors = sum(1 for i in range(len(suite.expectations)) if suite.can_block(i))
    deps = [asset_key_for_relation(r) for r in sorted(_other_relations(suite))]
    if known_assets is not None:
        deps = [d for d in deps if d in known_assets]
    return AssetCheckSpec(
        name=suite.check_name,
        asset=AssetKey(list(suite.asset_key)),
        description=(
            f"Great Expectations suite `{suite.relative_path}` on {suite.table} "
            f"({'one batch of business days' if suite.batch == 'partitions' else 'whole table'}): "
            f"{len(suite.expectations)} expectations, {errors} of them blocking (ERROR). "
            f"{suite.why}"
        ),
        blocking=True,  # only a failure with ERROR severity blocks
        additional_deps=deps,
        metadata={
            "suite": suite.relative_path,
            "expectations": len(suite.expectations),
            "error_expectations": errors,
        },
    )


# Run tags naming the business day(s) a run delivers: the nightly schedule sets the first;
# any launcher (a sensor for re-sent files, a person) may set the second, comma-separated.
BUSINESS_DAY_TAG = "ka/business_day"
BUSINESS_DAYS_TAG = "ka/business_days"


def _months(first: date, last: date) -> list[str]:
    keys, month = [], first.replace(day=1)
    while month <= last:
        keys.append(month.isoformat())
        month = (month + timedelta(days=32)).replace(day=1)
    return keys


def run_days(context: AssetCheckExecutionContext, timezone: str) -> list[date] | None:
    """The business days a raw batch covers in this run.

    A run extracts whole month partitions (month-to-date), but what it *delivers* is what
    gets validated: the day(s) named by the run's `ka/business_day(s)` tag (the nightly run:
    yesterday, so a bad day is not diluted by the month's earlier, already checked days);
    else every day of the run's months up to yesterday (a backfill or a manual run: one
    batch); None outside a partitioned run (the entity's latest load is validated).
    """
    tags = context.run.tags
    try:
        if tags.get(BUSINESS_DAYS_TAG):
            return sorted(date.fromisoformat(d.strip()) for d in tags[BUSINESS_DAYS_TAG].split(","))
        if tags.get(BUSINESS_DAY_TAG):
            return [date.fromisoformat(tags[BUSINESS_DAY_TAG])]
        if context.has_partition_key_range:
            keys = context.partition_key_range
            months = _months(date.fromisoformat(keys.start), date.fromisoformat(keys.end))
        elif context.has_partition_key:
            months = [context.partition_key]
        else:
            return None
    except (ValueError, TypeError):
        return None
    return days_of_months(months, last_complete_day(timezone)) or None


def check_result(binding: SuiteBinding, result: SuiteResult) -> AssetCheckResult:
    failed = result.failed
    metadata = {
        "suite": result.suite.relative_path,
        "batch": result.description,
        "rows_validated": result.rows,
        "expectations_evaluated": len(result.outcomes),
        "failed_error": len(result.errors),
        "failed_warn": len(result.warnings),
        "failed_expectations": MetadataValue.md(result.markdown()),
        "validation_seconds": result.seconds,
    }
    if failed:
        metadata["failures"] = MetadataValue.json([o.as_dict() for o in failed])
    if result.parameters:
        metadata["parameters"] = MetadataValue.json(result.parameters)
    if result.notes:
        metadata["notes"] = MetadataValue.md("\n".join(f"- {n}" for n in result.notes))
    return AssetCheckResult(
        asset_key=binding.check_key.asset_key,
        check_name=binding.check_key.name,
        # a check over zero rows checked nothing: a warning that says so, not a pass
        passed=result.passed and result.rows > 0,
        severity=AssetCheckSeverity.ERROR if result.errors else AssetCheckSeverity.WARN,
        description=result.summary()[:1000],
        metadata=metadata,
    )


def _not_evaluated(binding: SuiteBinding, error: Exception) -> AssetCheckResult:
    message = f"{type(error).__name__}: {error}"
    return AssetCheckResult(
        asset_key=binding.check_key.asset_key,
        check_name=binding.check_key.name,
        passed=False,
        severity=AssetCheckSeverity.ERROR,
        description=f"Suite {binding.suite.relative_path} could not be evaluated: {message}"[:1000],
        metadata={"suite": binding.suite.relative_path, "error": message[:2000]},
    )


def build_gx_checks(
    name: str, bindings: Sequence[SuiteBinding], *, description: str, known_assets=None
) -> AssetChecksDefinition:
    """One step running each bound suite on the frame its loader reads from the warehouse."""
    by_key = {b.check_key: b for b in bindings}

    @multi_asset_check(
        name=name,
        specs=[check_spec(b.suite, known_assets) for b in bindings],
        description=description,
        can_subset=True,
        required_resource_keys={"warehouse", "landing"},
        pool=WAREHOUSE_POOL,
    )
    def _gx_checks(context: AssetCheckExecutionContext) -> Iterator[AssetCheckResult]:
        from ka_pipeline.quality.runner import gx_runtime, validate  # GX is imported lazily

        started = perf_counter()
        gx_runtime()
        imported = perf_counter()
        landing = context.resources.landing
        days = run_days(context, landing.timezone)
        selected = [b for key, b in by_key.items() if key in context.selected_asset_check_keys]
        unmapped = _unmapped_entities(landing.mapping_file)
        with context.resources.warehouse.get_connection() as conn:
            for binding in selected:
                if binding.entity_key in unmapped:
                    yield _not_mapped(binding, f"{binding.entity_key} is not in the mapping file")
                    continue
                try:
                    batch = binding.load(conn, binding.suite, days)
                    if binding.entity_key is None and batch.rows == 0 and unmapped:
                        # e.g. the funnel of an orders-only adoption: nothing to build it from
                        yield _not_mapped(
                            binding,
                            f"{binding.suite.table} is empty and the mapping file delivers "
                            f"no {', '.join(sorted(unmapped))}",
                        )
                        continue
                    result = validate(binding.suite, batch)
                except Exception as error:  # a check that cannot run must not pass
                    context.log.error(f"{binding.suite.check_name}: not evaluated: {error}")
                    yield _not_evaluated(binding, error)
                    continue
                log = context.log.warning if result.failed or not result.rows else context.log.info
                log(f"{binding.suite.check_name}: {result.summary()} ({result.seconds:.2f} s)")
                yield check_result(binding, result)
        context.log.info(
            f"{len(selected)} suites validated in {perf_counter() - imported:.1f} s "
            f"(+ {imported - started:.1f} s to import Great Expectations, once per process)"
        )

    return _gx_checks


def raw_bindings() -> list[SuiteBinding]:
    return [SuiteBinding(s) for s in load_suites(layer="raw")]


def mart_bindings(mart_keys: set[AssetKey] | None = None) -> list[SuiteBinding]:
    """Mart suites whose mart exists (a suite for a mart not in the dbt project is skipped
    here and reported by the tests, so a renamed model never breaks the code location)."""
    return [
        SuiteBinding(s)
        for s in load_suites(layer="marts")
        if mart_keys is None or AssetKey(list(s.asset_key)) in mart_keys
    ]


def build_quality_checks(dbt_asset_keys: set[AssetKey]) -> list[AssetChecksDefinition]:
    from ka_pipeline.landing.contract import ENTITIES

    raw_keys = {AssetKey(["raw", e.system, e.name]) for e in ENTITIES}
    known = raw_keys | dbt_asset_keys
    checks = [
        build_gx_checks(
            "raw_quality_checks",
            [b for b in raw_bindings() if b.check_key.asset_key in raw_keys],
            description="Great Expectations suites on the raw batch the run extracted "
            "(expectations/raw/*.json): columns, row count, values present. ERROR failures "
            "block dbt.",
            known_assets=known,
        )
    ]
    marts = mart_bindings(dbt_asset_keys)
    if marts:
        checks.append(
            build_gx_checks(
                "mart_quality_checks",
                marts,
                description="Great Expectations suites on the BI-facing marts "
                "(expectations/marts/*.json). ERROR failures block reports and publishing.",
                known_assets=known,
            )
        )
    return checks
