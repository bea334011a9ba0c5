# Two commands matter: `make run` and `make test`. Everything they need is installed on first use.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
WEB_STAMP := web/node_modules/.installed
CHROMIUM ?= /usr/bin/chromium
HOST ?= 127.0.0.1
PORT ?= 8000
DATA ?= var

.PHONY: run test lint format test-py test-e2e-engines test-js bench install chromium clean vectors contract screens messages

install: $(STAMP) $(WEB_STAMP)

# web/ first: its `npm ci` builds web/dist/, which the package maps as between.web (pyproject.toml)
$(STAMP): pyproject.toml $(WEB_STAMP)
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

$(WEB_STAMP): web/package.json $(wildcard web/package-lock.json)
	cd web && if [ -f package-lock.json ]; then npm ci --no-audit --no-fund --loglevel=error; else npm install --no-audit --no-fund --loglevel=error; fi
	mkdir -p web/node_modules && touch $@

# Debian's full chromium (not headless-shell): its installability check is real.
chromium:
	@if [ ! -x $(CHROMIUM) ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing Debian's chromium (about 35 s)"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "chromium is missing: install Debian's 'chromium' package (browser tests will be skipped; with CI=true they fail)"; fi; \
	fi

# The minified build, made afresh from web/ (about a second): what an installed server serves. DEV=1 serves web/ as
# written instead (`between serve --dev`).
run: install
	mkdir -p $(DATA)
	$(if $(DEV),,cd web && npm run --silent build)
	$(VENV)/bin/between serve --host $(HOST) --port $(PORT) --data $(DATA) $(if $(DEV),--dev)

test: install chromium
	$(MAKE) --no-print-directory lint
	$(MAKE) --no-print-directory test-js
	$(MAKE) --no-print-directory test-py

# pytest exits 5 when it collected nothing; that must fail, never pass silently. With CI=true a missing Chromium or
# PostgreSQL fails the run too (tests/environment.py); CHROMIUM tells the browser tests which one to drive.
# The tests run in PYTEST_WORKERS processes (pytest-xdist; `auto` is one per CPU core, 0 runs them in this process),
# a whole file at a time in one of them (--dist loadfile: a file's module-scoped server and browser stay together),
# files in the order collected (--no-loadscope-reorder: the browser tests last, tests/conftest.py).
PYTEST_WORKERS ?= auto
test-py: $(STAMP)
	@set +e; CHROMIUM=$(CHROMIUM) $(PY) -m pytest -q -n $(PYTEST_WORKERS) --dist loadfile --no-loadscope-reorder \
	  $(PYTEST_ARGS); rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "pytest collected no tests: failing"; exit 1; fi; exit $$rc

# Linters and type checkers; each fails on a finding: ruff and mypy (pyproject.toml), tsc over web/'s JSDoc types
# (web/tools/tsconfig*.json). mypy reads our code under its installed names through links in .venv/typecheck
# (setuptools' editable install maps the folders with an import hook mypy cannot see).
# FORMAT_CHECK=0 skips ruff's formatting and import-order checks (e.g. while a large change is in flight); `make
# format` fixes both.
FORMAT_CHECK ?= 1
TYPECHECK := $(VENV)/typecheck/between

lint: $(STAMP) $(WEB_STAMP)
	$(VENV)/bin/ruff check --quiet $(if $(filter 1,$(FORMAT_CHECK)),,--ignore I001)
	$(if $(filter 1,$(FORMAT_CHECK)),$(VENV)/bin/ruff format --check --quiet)
	@mkdir -p $(TYPECHECK) && ln -sfn ../../../sync $(TYPECHECK)/sync && ln -sfn ../../../server $(TYPECHECK)/server
	$(VENV)/bin/mypy
	cd web && npm run --silent typecheck

format: $(STAMP)
	$(VENV)/bin/ruff check --quiet --select I --fix
	$(VENV)/bin/ruff format --quiet

# Every CLI end-to-end scenario on SQLite and on PostgreSQL (make test runs those marked both_engines on PostgreSQL).
test-e2e-engines: $(STAMP)
	@set +e; E2E_ENGINES=all $(PY) -m pytest -q -n $(PYTEST_WORKERS) --dist loadfile tests/e2e $(PYTEST_ARGS); rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "pytest collected no tests: failing"; exit 1; fi; exit $$rc

test-js: $(WEB_STAMP)
	cd web && node --test test/

bench: install chromium
	$(PY) -m bench
	$(PY) -m bench.bench_browser

# Pictures of the main screens (phone and desktop, light and dark) into docs/screens/, by the same test `make test`
# runs into a temporary folder (tests/browser/test_gallery.py).
screens: install chromium
	BETWEEN_SCREENS_DIR=docs/screens CHROMIUM=$(CHROMIUM) $(PY) -m pytest -q tests/browser/test_gallery.py

vectors: $(STAMP)
	$(PY) -m tests.vectors.generate

# web/js/core/wire-contract.js from sync/core/wire.py (tests/test_contract.py fails while it is out of date).
contract: $(STAMP)
	$(PY) -m tests.contract

# The words of sync/kinds.json and sync/templates.json into web/i18n/en.json (`kind.*`, `template.*`: docs/WEB.md
# "Words of kinds and templates"), and each web catalogue's `kind.*` into the CLI's sync/i18n/<code>.json (docs/CLI.md
# "Languages"); web/test/core/kind-words.test.js and tests/sync/cli/test_messages.py fail while they are out of date.
messages: $(WEB_STAMP)
	cd web && node tools/kind-messages.js

clean:
	rm -rf $(VENV) web/node_modules .pytest_cache .mypy_cache .ruff_cache
