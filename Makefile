# Leerlus: `make run` starts everything on SQLite with the demo organisation; `make test` runs
# the whole suite (SQLite, and PostgreSQL too when LEERLUS_TEST_DATABASE_URL is set).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
LEERLUS := $(BIN)/leerlus
PORT ?= 8000

.PHONY: install install-dev run test test-sqlite test-postgresql lint openapi messages vendor clean

install: $(VENV)/.installed-run

$(VENV)/.installed-run: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e .
	touch $@

install-dev: $(VENV)/.installed-dev

$(VENV)/.installed-dev: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $(VENV)/.installed-run $@

run: install
	$(LEERLUS) migrate --noinput
	$(LEERLUS) collectstatic --noinput --verbosity 0
	$(LEERLUS) demo
	PORT=$(PORT) $(LEERLUS) serve

test: install-dev lint test-sqlite test-postgresql

test-sqlite: install-dev
	@echo "== tests on SQLite =="
	env -u DATABASE_URL $(BIN)/python -m pytest

test-postgresql: install-dev
	@if [ -n "$$LEERLUS_TEST_DATABASE_URL" ]; then \
		echo "== tests on PostgreSQL ($${LEERLUS_TEST_DATABASE_URL%%@*}@…) =="; \
		DATABASE_URL="$$LEERLUS_TEST_DATABASE_URL" $(BIN)/python -m pytest; \
	else \
		echo "== PostgreSQL tests skipped: set LEERLUS_TEST_DATABASE_URL (e.g. postgres://postgres@127.0.0.1:5432/leerlus) to run them =="; \
	fi

lint: install-dev
	mkdir -p var
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy leerlus tests
	$(BIN)/lint-imports --no-cache
	@missing=$$(git ls-files --cached --others --exclude-standard -- '*.py' '*.mjs' .ci/run 'leerlus/static/leerlus/**' ':!:**/migrations/**' | xargs grep -L 'SPDX-License-Identifier: EUPL-1.2'); \
		if [ -n "$$missing" ]; then echo "Source files without an SPDX-License-Identifier: EUPL-1.2 line:"; echo "$$missing"; exit 1; fi
	env -i $(BIN)/python -c "import sys, leerlus.engine.themes, leerlus.engine.cli; assert not {'django', 'celery'} & set(sys.modules), 'the engine loaded Django or Celery'"
	DJANGO_SETTINGS_MODULE=leerlus.settings.test $(LEERLUS) makemigrations --check --dry-run
	DJANGO_SETTINGS_MODULE=leerlus.settings.test $(LEERLUS) spectacular --validate --fail-on-warn --file $(VENV)/openapi.yaml
	diff -u docs/openapi.yaml $(VENV)/openapi.yaml || (echo "docs/openapi.yaml is out of date: run 'make openapi'"; exit 1)

openapi: install-dev
	DJANGO_SETTINGS_MODULE=leerlus.settings.test $(LEERLUS) spectacular --validate --fail-on-warn --file docs/openapi.yaml

messages: install-dev
	cd leerlus && ../$(LEERLUS) makemessages --locale nl --locale en --ignore 'static/*' && ../$(LEERLUS) compilemessages

vendor:
	npm --prefix frontend ci
	npm --prefix frontend run vendor

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
