# The two commands: `make run` and `make test`. Everything else is a step of those.
#
# Needs only python3 (3.11+) with its venv module, Node.js 20+ with npm, and make: uv, the
# Python tool that installs .venv from uv.lock, is used from PATH when there is one, else
# installed once (pinned) into .tools/uv with python3 -m venv. No `pip install --user`
# (refused on a stock Debian, PEP 668) and no reliance on ~/.local/bin being on PATH.
SHELL := /bin/bash
.DEFAULT_GOAL := run

PYTHON ?= python3
UV_VERSION := 0.13.9
UV_HOME := .tools/uv
UV ?= $(or $(shell command -v uv 2>/dev/null),$(UV_HOME)/bin/uv)
VENV_BIN := .venv/bin
# Trust the machine's CA store, as Debian's own pip does (a company proxy's CA then works too).
UV_SYSTEM_CERTS ?= 1
UV_NATIVE_TLS ?= 1
export UV_SYSTEM_CERTS UV_NATIVE_TLS

.PHONY: install run test lint test-python openapi bench-data bench clean

$(UV_HOME)/bin/uv:
	@command -v $(PYTHON) >/dev/null || { echo "make: needs python3 (3.11 or later) on PATH" >&2; exit 1; }
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
	  || { echo "make: needs Python 3.11 or later; $$($(PYTHON) --version) found" >&2; exit 1; }
	@$(PYTHON) -c 'import ensurepip, venv' 2>/dev/null \
	  || { echo "make: python3 has no venv module; install it (Debian/Ubuntu: apt install python3-venv)" >&2; exit 1; }
	@echo "installing uv $(UV_VERSION) into $(UV_HOME) (once)"
	@rm -rf $(UV_HOME)
	$(PYTHON) -m venv $(UV_HOME)
	$(UV_HOME)/bin/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

# Python deps from uv.lock (fast no-op when nothing changed); the web app once it exists.
install: $(UV)
	$(UV) sync --locked --quiet
	@if [ -f frontend/package.json ]; then $(MAKE) --no-print-directory -C frontend build; fi

run: install
	$(VENV_BIN)/crm migrate
	$(VENV_BIN)/crm seed-demo
	$(VENV_BIN)/crm serve

test: install lint test-python
	@if [ -f frontend/package.json ]; then $(MAKE) --no-print-directory -C frontend test; fi

# The Python code's rules and format (pyproject.toml [tool.ruff]); `ruff format .` fixes the
# format, `ruff check --fix .` what it can of the rules. Then the type checker ([tool.mypy]).
lint: install
	$(VENV_BIN)/ruff check .
	$(VENV_BIN)/ruff format --check .
	$(VENV_BIN)/mypy

# Two processes (xdist); the 25 slowest tests are listed at the end: the CI budget (25 minutes)
# is watched by them. Tests that measure time (marked serial) run afterwards, alone: beside the
# other process they would measure its load. Only the files that mark some are collected for
# that second run (collecting every module again took 31 s, these 10).
SERIAL_TESTS = $(shell grep -rl --include='*.py' 'pytest.mark.serial' tests)
test-python:
	$(VENV_BIN)/pytest -p no:cacheprovider --durations=25 -n 2 --dist loadgroup -m "not serial"
	$(VENV_BIN)/pytest -p no:cacheprovider -m serial $(SERIAL_TESTS)

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
	rm -rf .venv .tools frontend/node_modules frontend/dist .pytest_cache
