# Two commands do everything on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask --app wsgi
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: install run serve test test-postgres translations lint audit bench clean-db

install: $(VENV)/.installed

$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

translations: install
	$(FLASK) translate compile

# Development server on SQLite in instance/, with demo data (loaded only into an empty database).
# `make run PORT=8080 HOST=0.0.0.0`: the printed addresses follow HOST and PORT.
run: install translations
	APP_DEMO_MODE=true $(FLASK) db upgrade
	APP_DEMO_MODE=true $(FLASK) demo load --url http://$(HOST):$(PORT)
	@echo "Serving on http://$(HOST):$(PORT)/$(if $(filter 0.0.0.0,$(HOST)), (every interface; from this machine http://127.0.0.1:$(PORT)/),)"
	APP_DEMO_MODE=true $(FLASK) run --host $(HOST) --port $(PORT)

test: install translations
	$(PY) -m pytest $(PYTEST_ARGS)

# The same suite against PostgreSQL (database "test" on 127.0.0.1, trust auth).
test-postgres: install translations
	TEST_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test $(PY) -m pytest $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check app tests

# Known vulnerabilities of the pinned packages (pip-audit, installed into the venv the first time). Needs
# network access to the vulnerability databases (PyPI's advisories, OSV): run it where they can be reached.
# --strict: a package that could not be checked fails the audit (never a silent "no known vulnerabilities").
audit: install
	$(PY) -m pip show pip-audit >/dev/null 2>&1 || $(PY) -m pip install --quiet pip-audit
	$(VENV)/bin/pip-audit --strict --requirement requirements.txt --desc on

bench: install
	$(PY) tests/bench/run.py

clean-db:
	rm -f instance/pcpa.sqlite*
