# ka-pipeline: every target sets up what it needs from a machine with only python3.
#   make run   - install, generate the sample (once), build the whole warehouse
#   make test  - install, lint (ruff, sqlfluff), run the test suite
#   make dev   - the Dagster UI on http://127.0.0.1:3000
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

export DAGSTER_HOME := $(CURDIR)/.dagster_home
# dagster-dbt looks for the `dbt` executable on PATH.
export PATH := $(CURDIR)/$(BIN):$(PATH)
export DBT_SEND_ANONYMOUS_USAGE_STATS := false
export DO_NOT_TRACK := 1
export GX_ANALYTICS_ENABLED := false
# one planned event per asset for a single-run backfill, not one per partition (SQLite)
export DAGSTER_EMIT_PARTITION_SUBSET_IN_PLANNED_EVENTS := true

.PHONY: setup run test lint dev clean lock

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

$(VENV)/.installed: requirements.lock pyproject.toml | $(UV)
	$(UV) venv --quiet --allow-existing --python $(PYTHON) $(VENV)
	$(UV) pip sync --quiet --python $(BIN)/python requirements.lock
	$(UV) pip install --quiet --python $(BIN)/python --no-deps -e .
	touch $@

$(DAGSTER_HOME)/dagster.yaml: dagster.yaml
	mkdir -p $(DAGSTER_HOME)
	cp dagster.yaml $@

$(MANIFEST): $(VENV)/.installed $(DBT_SOURCES)
	$(BIN)/dagster-dbt project prepare-and-package --file ka_pipeline/defs/dbt/project.py
	touch $@

setup: $(VENV)/.installed $(DAGSTER_HOME)/dagster.yaml $(MANIFEST)

run: setup
	$(BIN)/ka-pipeline generate --if-missing
	$(BIN)/ka-pipeline run

lint: $(VENV)/.installed
	$(BIN)/ruff check ka_pipeline tests
	$(BIN)/ruff format --check ka_pipeline tests
	cd dbt_project && ../$(BIN)/sqlfluff lint models macros tests --disable-progress-bar --processes 2

test: setup lint
	$(BIN)/pytest

dev: setup
	$(BIN)/dagster dev -h 127.0.0.1 -p 3000

# Re-resolve the pinned dependencies after editing pyproject.toml.
lock: | $(UV)
	$(UV) lock --quiet
	$(UV) export --quiet --frozen --format requirements-txt --all-groups --no-emit-project \
		--no-header -o requirements.lock

clean:
	rm -rf $(VENV) $(TOOLS) .dagster_home data dbt_project/target dbt_project/logs \
		.pytest_cache .ruff_cache
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
