# Stride — two commands on a fresh clone: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000
PYTEST_ARGS ?=
# Test processes (pytest-xdist): one per core by default; `make test PYTEST_WORKERS=0` runs in one.
PYTEST_WORKERS ?= auto

.PHONY: demo test lint format bench fuzz install check-python clean

check-python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null || { \
	  echo "Stride needs Python 3.11 or newer, but '$(PYTHON)' is: $$($(PYTHON) --version 2>&1)."; \
	  echo "Run again with a newer one, for example: make PYTHON=python3.12 $(MAKECMDGOALS)"; \
	  exit 1; }

$(BIN)/.installed: pyproject.toml
	@$(MAKE) --no-print-directory check-python
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	@touch $@

install: check-python $(BIN)/.installed

demo: install
	PORT=$(PORT) $(BIN)/stride demo

test: install
	$(BIN)/pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy stride
	$(BIN)/lint-imports

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: install
	$(BIN)/stride bench

# Schemathesis (every check, every phase) against the demo served on a free port of
# FUZZ_PORTS (default 18300-18399); see tests/fuzz/run.
fuzz: install
	BIN=$(BIN) tests/fuzz/run

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
