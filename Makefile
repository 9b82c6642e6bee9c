# creditportal - everyday commands. Everything runs from .venv (made on demand).
#
#   make demo      SQLite (var/) + eager Celery + demo data, on 127.0.0.1:$${PORT:-8000}
#   make lint      ruff check + ruff format --check (also the first step of make test)
#   make test      the whole suite: SQLite, then PostgreSQL (+ Redis worker) when
#                  reachable; PYTEST_ARGS="-x -k name" is passed to each run
#   make serve     the production shape: PostgreSQL + Redis, gunicorn, a Celery
#                  worker and one beat, run by honcho from the Procfile
#   make migrate   apply migrations to the configured DATABASE_URL
#   make venv      create .venv and install requirements.txt (when it changed)

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Touched after a successful install: pip runs again only when requirements.txt is newer.
STAMP := $(VENV)/.requirements-installed
MANAGE := $(BIN)/python manage.py
PORT ?= 8000
PYTEST_ARGS ?=

.PHONY: demo test lint serve migrate messages venv

venv: $(STAMP)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): requirements.txt | $(BIN)/python
	$(BIN)/python -m pip install --disable-pip-version-check -r requirements.txt
	touch $@

migrate: venv
	$(MANAGE) migrate --noinput
	$(MANAGE) createcachetable

# The compiled .mo files are committed; recompile only where gettext is installed
# and a catalogue exists. --ignore keeps it out of .venv (Django's own catalogues).
messages: venv
	@if ! command -v msgfmt >/dev/null; then \
		echo "msgfmt not found (package gettext): using the committed .mo files"; \
	elif ! find locale -name '*.po' 2>/dev/null | grep -q .; then \
		echo "no translation catalogues under locale/ yet: nothing to compile"; \
	else \
		$(MANAGE) compilemessages --ignore=$(VENV) --ignore=var; \
	fi

# The demo is always the embedded setup, whatever the shell exports: SQLite
# under var/ and eager Celery (no PostgreSQL or Redis needed).
DEMO_ENV := env -u DATABASE_URL -u REDIS_URL

demo: venv messages
	$(DEMO_ENV) $(MANAGE) migrate --noinput
	$(DEMO_ENV) $(MANAGE) createcachetable
	$(DEMO_ENV) $(MANAGE) load_demo
	$(DEMO_ENV) $(MANAGE) runserver 127.0.0.1:$(PORT)

# ruff (lint + format check) first: a style slip fails in seconds, not after the suites.
lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: venv lint
	scripts/run_tests.sh $(PYTEST_ARGS)

serve: venv messages
	scripts/serve.sh
