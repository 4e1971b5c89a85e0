# Casework: `make run` serves the demo on http://127.0.0.1:8000 with its job worker; `make test` runs the suite.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: run serve-prod cluster-check test security bench install install-dev system-deps migrate demo check lint clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install -q -e '.[dev]'
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

system-deps:
	bash scripts/install-system-deps.sh

migrate: install
	mkdir -p var
	DEBUG=true $(BIN)/python manage.py migrate --noinput

demo: migrate
	DEBUG=true $(BIN)/python manage.py seed_demo

run: demo
	DEBUG=true bash scripts/serve.sh

serve-prod: install
	bash scripts/serve-prod.sh

cluster-check: install-dev
	bash scripts/cluster-check.sh

test: install-dev system-deps
	bash scripts/test.sh

# The security tests of docs/security.md (audit roles on PostgreSQL, Administrator matrix, sign-in throttling,
# leak corpus if present, schemathesis); one figures line at the end. `make test` runs these tests too.
security: install-dev
	bash scripts/security.sh

bench: install-dev
	$(BIN)/python -m casework.bench

lint: install-dev
	$(BIN)/lint-imports --no-cache

check: install
	$(BIN)/python manage.py check
	$(BIN)/python manage.py makemigrations --check --dry-run

clean:
	rm -rf var/casework.sqlite3* var/static var/screenshots
