# bankcrm: `make demo` builds and serves the demo bank; `make test` runs the whole suite.
SHELL := /bin/bash
export UV_PYTHON_DOWNLOADS := never
PYTHON ?= python3
UV := $(PYTHON) -m uv
VENV := .venv
BIN := $(VENV)/bin
VENDOR := src/bankcrm/web/static/vendor

.PHONY: demo serve test install assets system-deps lint types contracts pytest bench i18n clean

PORT ?= 8000
HOST ?= 127.0.0.1

demo: install assets  ## install everything, build the demo bank on SQLite, serve it at http://$(HOST):$(PORT) (make demo PORT=8001)
	BANKCRM_MODE=demo $(BIN)/bankcrm demo --host $(HOST) --port $(PORT)

serve: install assets  ## serve an existing database (BANKCRM_DATABASE_URL) at http://$(HOST):$(PORT)
	$(BIN)/bankcrm serve --host $(HOST) --port $(PORT)

test: install assets system-deps lint types contracts pytest  ## the whole suite

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml uv.lock
	@$(PYTHON) -m uv --version >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet --disable-pip-version-check uv
	$(UV) sync --frozen
	@touch $@

assets: $(VENDOR)/.copied

$(VENDOR)/.copied: package.json package-lock.json scripts/vendor_assets.py
	@command -v npm >/dev/null 2>&1 || ./scripts/system-deps.sh
	npm ci --no-audit --no-fund --loglevel=error
	$(BIN)/python scripts/vendor_assets.py
	@touch $@

system-deps:
	./scripts/system-deps.sh

lint: install
	$(BIN)/ruff check src tests scripts migrations bench
	$(BIN)/ruff format --check src tests scripts migrations bench

types: install
	$(BIN)/mypy

contracts: install
	$(BIN)/lint-imports

pytest: install assets system-deps
	$(BIN)/pytest -n auto --dist loadgroup

bench: install
	$(BIN)/python -m bench.run
	$(BIN)/python -m bench.cif
	$(BIN)/python -m bench.ingest
	$(BIN)/python -m bench.customers_feed
	$(BIN)/python -m bench.holdings
	$(BIN)/python -m bench.relationships
	$(BIN)/python -m bench.quality
	$(BIN)/python -m bench.sign_in
	$(BIN)/python -m bench.cli_startup
	$(BIN)/python -m bench.load
	$(BIN)/python -m bench.api
	$(BIN)/python -m bench.match_dedupe
	$(BIN)/python -m bench.match_febrl
	$(BIN)/python -m bench.snapshot
	$(BIN)/python -m bench.tags
	$(BIN)/python -m bench.segments
	$(BIN)/python -m bench.lifecycle
	$(BIN)/python -m bench.warnings
	$(BIN)/python -m bench.churn
	$(BIN)/python -m bench.leads
	$(BIN)/python -m bench.sales

i18n: install  ## extract strings, update both catalogs, list what still needs translating
	$(BIN)/python scripts/i18n.py update

clean:
	rm -rf $(VENV) node_modules $(VENDOR) var .pytest_cache .mypy_cache .ruff_cache tests/artifacts
