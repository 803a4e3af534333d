# Linli — the two commands are `make demo` and `make test`; the rest are their parts.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
CATALOGUES := $(wildcard platform/linli/translations/*/LC_MESSAGES/messages.po plugins/*/translations/*/LC_MESSAGES/messages.po)
LOCALES := zh_Hans_CN en
COMPILED := $(CATALOGUES:.po=.mo)
PYTEST_WORKERS ?= auto

.PHONY: demo test check lint types translations extract-messages install bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP) translations

%.mo: %.po $(STAMP)
	$(BIN)/pybabel compile --use-fuzzy -i $< -o $@

translations: $(COMPILED)

## make extract-messages: refresh the core's catalogues and every plugin's own (plugins/<name>/translations)
extract-messages: $(STAMP)
	@for source in platform/linli plugins/*; do \
	  [ "$$source" = platform/linli ] || [ -d "$$source/translations" ] || continue; \
	  out=$$source/translations; \
	  $(BIN)/pybabel extract -F babel.cfg -k _l --no-location --sort-output --omit-header \
	    -o $$out/messages.pot $$source || exit 1; \
	  for locale in $(LOCALES); do \
	    if [ -f $$out/$$locale/LC_MESSAGES/messages.po ]; then \
	      $(BIN)/pybabel update -i $$out/messages.pot -d $$out -l $$locale --no-fuzzy-matching --ignore-obsolete || exit 1; \
	    else \
	      $(BIN)/pybabel init -i $$out/messages.pot -d $$out -l $$locale || exit 1; \
	    fi; \
	  done; \
	done

## make demo: embedded SQLite instance with the demo communities on http://127.0.0.1:8000
demo: install
	$(BIN)/linli demo
	LINLI_SESSION_COOKIE_SECURE=false $(BIN)/gunicorn --bind 127.0.0.1:8000 --workers 2 --access-logfile - linli.wsgi:app

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

types: $(STAMP)
	$(BIN)/mypy

check: lint types

## make test: lint, types and the whole suite (SQLite always; PostgreSQL when reachable, required under CI)
test: install check
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

## make bench: the benchmarks (PostgreSQL and Redis on loopback; `wrk` for tenant_overhead)
bench: install
	$(BIN)/python bench/tenant_overhead.py
	$(BIN)/python bench/onboarding.py
	$(BIN)/python bench/jobs.py

clean:
	rm -rf $(VENV) instance .pytest_cache .mypy_cache .ruff_cache
