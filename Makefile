# CryptoFlow: `make up` runs the platform, `make test` runs every suite.
SHELL := /bin/bash
PY ?= python3
UV := .uv/bin/uv
VENV := .venv
BIN := $(VENV)/bin
STAMPS := .stamps

.PHONY: up test install lint pytest bench chaos audit clean web dbt-parse

up: install
	$(BIN)/cryptoflow up

test: install lint
	scripts/ensure-test-deps.sh
	$(BIN)/pytest

install: $(STAMPS)/venv $(STAMPS)/web $(STAMPS)/dbt

$(UV):
	$(PY) -m venv .uv
	.uv/bin/pip install -q uv==0.13.8

# --compile-bytecode: every Dagster run starts a process that imports the code location; without
# .pyc files (uv writes none by default, and PYTHONDONTWRITEBYTECODE keeps Python from writing
# them) each one compiles dagster, dbt and dlt from source first: ~6 s CPU instead of ~3 s.
$(STAMPS)/venv: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --quiet --compile-bytecode
	@mkdir -p $(STAMPS) && touch $@

$(STAMPS)/web-deps: web/package.json web/package-lock.json
	cd web && npm ci --no-audit --no-fund --loglevel=error
	@mkdir -p $(STAMPS) && touch $@

$(STAMPS)/web: $(STAMPS)/web-deps $(shell find web -path web/node_modules -prune -o -path web/dist -prune -o -type f -print 2>/dev/null)
	cd web && npm run build
	@mkdir -p $(STAMPS) && touch $@

$(STAMPS)/dbt: $(STAMPS)/venv $(shell find dbt_project -path dbt_project/target -prune -o -path dbt_project/logs -prune -o -type f -print 2>/dev/null)
	@# parse does not connect: a DATABASE_URL of the shell needs no CRYPTOFLOW_PG_* here
	@if [ -f dbt_project/dbt_project.yml ]; then cd dbt_project && env -u DATABASE_URL ../$(BIN)/dbt parse --quiet; fi
	@mkdir -p $(STAMPS) && touch $@

# Every part, as the pre-commit hooks check it: Python (ruff, mypy over every package and the
# tests), the dbt models' SQL (sqlfluff), the web app (ESLint, Prettier).
lint: $(STAMPS)/venv $(STAMPS)/web-deps
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/sqlfluff lint dbt_project/models dbt_project/tests
	cd web && npm run lint

bench: install
	$(BIN)/python -m bench.run_all

# The issue's full minute of benchmark load with a PostgreSQL restart (make test runs 24 s of it).
chaos: install
	CHAOS_LOAD_S=60 $(BIN)/pytest -s tests/reliability/test_postgres_restart.py -k benchmark_load

# Known vulnerabilities in the shipped Python and npm dependencies (needs the advisory services).
audit: install
	scripts/audit-deps.sh

clean:
	rm -rf $(STAMPS) web/dist dbt_project/target
