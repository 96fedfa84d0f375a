# The two commands that set up everything on a fresh machine:
#   make feeds   create .venv, install postfeed, build this blog's feeds into feeds/
#   make test    install the test extras, run ruff, mypy --strict and pytest
#   make bench   run the benchmark (docs/performance.md) and record its results

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip --disable-pip-version-check --quiet

.PHONY: feeds test lint typecheck pytest bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(PIP) install -e .
	touch $@

$(VENV)/.installed-dev: $(BIN)/python pyproject.toml
	$(PIP) install -e '.[dev]'
	touch $@ $(VENV)/.installed

feeds: $(VENV)/.installed
	$(BIN)/postfeed build

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(VENV)/.installed-dev
	$(BIN)/mypy

pytest: $(VENV)/.installed-dev
	$(BIN)/pytest

test: lint typecheck pytest

# Not part of test: it takes minutes, and timings are read, never asserted.
bench: $(VENV)/.installed
	$(BIN)/python bench/run.py --docs docs/performance.md

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis .postfeed-cache dist
