# The two commands: `make run` and `make test`. Everything else is a step of those.
SHELL := /bin/bash
.DEFAULT_GOAL := run

PYTHON ?= python3
UV := $(shell command -v uv 2>/dev/null || echo $(HOME)/.local/bin/uv)
VENV_BIN := .venv/bin

.PHONY: install run test test-python openapi bench-data bench clean

$(UV):
	$(PYTHON) -m pip install --user --quiet uv

# Python deps from uv.lock (fast no-op when nothing changed); the web app once it exists.
install: $(UV)
	$(UV) sync --locked --quiet
	@if [ -f frontend/package.json ]; then $(MAKE) --no-print-directory -C frontend build; fi

run: install
	$(VENV_BIN)/crm migrate
	$(VENV_BIN)/crm seed-demo
	$(VENV_BIN)/crm serve

test: install test-python
	@if [ -f frontend/package.json ]; then $(MAKE) --no-print-directory -C frontend test; fi

test-python:
	$(VENV_BIN)/pytest -p no:cacheprovider

openapi: install
	$(VENV_BIN)/python -m api.export_openapi

# Benchmarks (see README): fill a database, then measure a server running on it.
BENCH_URL ?= sqlite:///var/bench.db
BENCH_CUSTOMERS ?= 100000
bench-data: install
	$(VENV_BIN)/python -m bench.generate --customers $(BENCH_CUSTOMERS) --database-url $(BENCH_URL)
bench: install
	$(VENV_BIN)/python -m bench.run customers --database-url $(BENCH_URL)

clean:
	rm -rf .venv frontend/node_modules frontend/dist .pytest_cache
