# ka-pipeline: every target sets up what it needs from a machine with only python3.
#   make run   - install, generate the sample (once), build the whole warehouse
#   make test  - install, lint (ruff, sqlfluff, dg check defs), run the test suite
#   make dev   - the Dagster UI on http://127.0.0.1:3000 (`dg dev`)
#   make docs  - the dbt docs site (static HTML) in dbt_project/target/docs
#   make spark-build - the same dbt project on Apache Spark, compared with DuckDB (Java 17+)
#   make clean - remove environments, data and build artefacts

SHELL := /bin/bash
PYTHON ?= python3
UV_VERSION := 0.13.8
VENV := .venv
TOOLS := .venv-tools
UV := $(TOOLS)/bin/uv
BIN := $(VENV)/bin
MANIFEST := dbt_project/target/manifest.json
DBT_SOURCES := $(shell find dbt_project -path dbt_project/target -prune -o \
	\( -name '*.sql' -o -name '*.yml' -o -name '*.csv' \) -print)

# dagster-dbt looks for the `dbt` executable on PATH.
export PATH := $(CURDIR)/$(BIN):$(PATH)
export DBT_SEND_ANONYMOUS_USAGE_STATS := false
export DO_NOT_TRACK := 1
# dg reads `telemetry: enabled: false` from $DAGSTER_HOME/dagster.yaml; this one stops uploads
export DAGSTER_DISABLE_TELEMETRY := 1
# dg warns when the active environment is not the project's .venv
DG := VIRTUAL_ENV=$(CURDIR)/$(VENV) $(BIN)/dg
export GX_ANALYTICS_ENABLED := false
# one planned event per asset for a single-run backfill, not one per partition (SQLite)
export DAGSTER_EMIT_PARTITION_SUBSET_IN_PLANNED_EVENTS := true

.PHONY: setup run test lint dev clean lock spark-setup spark-build

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

$(VENV)/.installed: requirements.lock pyproject.toml | $(UV)
	$(UV) venv --quiet --allow-existing --python $(PYTHON) $(VENV)
	$(UV) pip sync --quiet --python $(BIN)/python requirements.lock
	$(UV) pip install --quiet --python $(BIN)/python --no-deps -e .
	touch $@

$(MANIFEST): $(VENV)/.installed $(DBT_SOURCES)
	$(BIN)/ka-pipeline dbt parse --quiet
	touch $@

setup: $(VENV)/.installed $(MANIFEST)

# The optional Spark extra (dbt-spark, pyspark) in an environment of its own: with pyspark
# importable, Great Expectations imports pyspark.sql.connect, which ends a process whose
# __main__ has no file (pytest-xdist workers) with SystemExit. Same pins as the base.
SPARK_VENV := .venv-spark
$(SPARK_VENV)/.installed: requirements-spark.lock pyproject.toml | $(UV)
	@command -v java >/dev/null || { echo "spark-setup: Spark needs Java 17+ (java on PATH)"; exit 1; }
	$(UV) venv --quiet --allow-existing --python $(PYTHON) $(SPARK_VENV)
	$(UV) pip sync --quiet --python $(SPARK_VENV)/bin/python requirements-spark.lock
	$(UV) pip install --quiet --python $(SPARK_VENV)/bin/python --no-deps -e .
	touch $@

spark-setup: setup $(SPARK_VENV)/.installed

# Builds the dbt project on Spark from the DuckDB warehouse's raw layer (run `make run`
# first) and compares every BI-facing table with DuckDB's.
spark-build: spark-setup
	$(SPARK_VENV)/bin/ka-pipeline spark-build --compare

run: setup
	$(BIN)/ka-pipeline generate --if-missing
	$(BIN)/ka-pipeline run

lint: setup
	$(BIN)/ruff check ka_pipeline tests bench
	$(BIN)/ruff format --check ka_pipeline tests bench
	cd dbt_project && ../$(BIN)/sqlfluff lint models macros tests --disable-progress-bar --processes 2
	$(DG) check defs

# Test workspaces live in /dev/shm when there is one: Dagster's SQLite event log and DuckDB
# commit with fsync, 13 ms per commit on this disk against 0.2 ms on tmpfs.
test: setup spark-setup lint
	@tmp=$$(mktemp -d "$$( [ -w /dev/shm ] && echo /dev/shm || echo /tmp )/ka-pipeline-tests.XXXXXX"); \
	echo "$(BIN)/pytest -n 2 --dist loadgroup --durations=20 --basetemp=$$tmp"; \
	$(BIN)/pytest -n 2 --dist loadgroup --durations=20 --basetemp=$$tmp; status=$$?; rm -rf "$$tmp"; exit $$status

# the Dagster instance of `ka-pipeline run` ($$DAGSTER_HOME, default data/dagster_home)
dev: setup
	$(BIN)/ka-pipeline dev

# Performance benchmark (not part of `make test`; BENCHMARKS.md). Data sets are cached in
# .bench/. Quick iteration: make bench BENCH_ARGS="--sizes 1M --repeat 1"
.PHONY: bench
BENCH_ARGS ?=
bench: setup
	nice -n 10 $(BIN)/python -m bench $(BENCH_ARGS)

# dbt docs as a static site (models, columns, lineage with the exposures: weekly report, BI
# release, dashboards): open dbt_project/target/docs/static_index.html, no server needed.
# Column types come from the warehouse when it exists: dbt opens that file for writing, so
# run it when no build is running; without a warehouse the catalog is left empty.
DOCS_WAREHOUSE := $(or $(KA_WAREHOUSE_PATH),data/warehouse/warehouse.duckdb)
DOCS_NO_WAREHOUSE := $(if $(wildcard $(DOCS_WAREHOUSE)),,yes)
.PHONY: docs
docs: setup
	$(if $(DOCS_NO_WAREHOUSE),KA_WAREHOUSE_PATH=$$(mktemp -d)/empty.duckdb) $(BIN)/ka-pipeline dbt docs generate \
		--static --target-path target/docs $(if $(DOCS_NO_WAREHOUSE),--empty-catalog)
	@echo "dbt docs: dbt_project/target/docs/static_index.html"

# Re-resolve the pinned dependencies after editing pyproject.toml.
lock: | $(UV)
	$(UV) lock --quiet
	$(UV) export --quiet --frozen --format requirements-txt --all-groups --no-emit-project \
		--no-header -o requirements.lock
	$(UV) export --quiet --frozen --format requirements-txt --all-groups --extra spark \
		--no-emit-project --no-header -o requirements-spark.lock

clean:
	rm -rf $(VENV) $(SPARK_VENV) $(TOOLS) .dagster_home data dbt_project/target dbt_project/logs \
		.pytest_cache .ruff_cache
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
