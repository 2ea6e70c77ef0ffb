# Two commands do everything on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask --app wsgi
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: install run serve test test-postgres translations lint bench clean-db

install: $(VENV)/.installed

$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

translations: install
	$(FLASK) translate compile

# Development server on SQLite in instance/, with demo data (loaded only into an empty database).
run: install translations
	APP_DEMO_MODE=true $(FLASK) db upgrade
	APP_DEMO_MODE=true $(FLASK) demo load
	@echo "Serving on http://$(HOST):$(PORT)/"
	APP_DEMO_MODE=true $(FLASK) run --host $(HOST) --port $(PORT)

test: install translations
	$(PY) -m pytest $(PYTEST_ARGS)

# The same suite against PostgreSQL (database "test" on 127.0.0.1, trust auth).
test-postgres: install translations
	TEST_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test $(PY) -m pytest $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check app tests

bench: install
	$(PY) tests/bench/run.py

clean-db:
	rm -f instance/pcpa.sqlite*
