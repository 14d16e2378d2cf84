# Rekisteri. The two commands a newcomer needs: `make run` and `make test`. See README.md.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
MANAGE := $(BIN)/python manage.py
DEMO_CONTACTS ?= 200

# Debian packages WeasyPrint needs to render PDFs (pango, harfbuzz subsetting, a font).
SYSTEM_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core

.PHONY: run test e2e lint format messages worker beat bench system-deps browser clean help

help:
	@echo "make run       serve the app with demo data on http://127.0.0.1:8000 (SQLite, tasks in-process)"
	@echo "make test      run the whole test suite (PostgreSQL/Redis when DATABASE_URL/REDIS_URL are set)"
	@echo "make e2e       only the browser journeys (Debian's chromium, installed when missing)"
	@echo "make lint      ruff check and format check"
	@echo "make messages  update and compile the fi/sv/en translation catalogues"
	@echo "make worker    Celery worker and beat against REDIS_URL"
	@echo "make bench     the benchmark, against PostgreSQL in DATABASE_URL"

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' || \
	  { echo "Rekisteri needs Python 3.11 (set PYTHON=/path/to/python3.11)."; exit 1; }
	$(PYTHON) -m venv $(VENV) || { echo "On Debian: sudo apt-get install python3.11-venv"; exit 1; }

$(INSTALLED): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

# Importing WeasyPrint is the real test that its libraries are there (no ldconfig, no root).
system-deps: $(INSTALLED)
	@if $(BIN)/python -c 'import weasyprint' >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "Installing WeasyPrint's system libraries: $(SYSTEM_PACKAGES)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(SYSTEM_PACKAGES); \
	else \
	  echo "WeasyPrint needs system libraries. On Debian/Ubuntu run:"; \
	  echo "  sudo apt-get install $(SYSTEM_PACKAGES)"; exit 1; \
	fi

# The browser journeys (tests/e2e) drive Debian's chromium; `playwright install` is never used.
# Without root the journeys are skipped by `make test` with a note, and `make e2e` fails.
browser: $(INSTALLED)
	@if [ -n "$$CHROMIUM" ] || command -v chromium >/dev/null; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "Installing Chromium for the browser journeys"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium; \
	else \
	  echo "The browser journeys need Chromium. On Debian/Ubuntu run: sudo apt-get install chromium"; \
	fi

run: $(INSTALLED) system-deps
	DEBUG=true $(MANAGE) migrate --noinput
	DEBUG=true $(MANAGE) seed_demo --contacts $(DEMO_CONTACTS)
	DEBUG=true $(MANAGE) runserver 127.0.0.1:8000

test: $(INSTALLED) system-deps browser
	$(BIN)/python -m pytest $(PYTEST_ARGS)

e2e: $(INSTALLED) system-deps browser
	@test -n "$$CHROMIUM" || command -v chromium >/dev/null || { echo "Chromium is missing."; exit 1; }
	$(BIN)/python -m pytest -m e2e $(PYTEST_ARGS)

lint: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(INSTALLED)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

messages: $(INSTALLED)
	DEBUG=true $(MANAGE) makemessages --all --no-obsolete --ignore='.venv/*' --ignore='bench/*' --ignore='tests/*'
	DEBUG=true $(MANAGE) compilemessages --ignore='.venv/*'

worker: $(INSTALLED)
	@test -n "$$REDIS_URL$$CELERY_BROKER_URL" || { echo "Set REDIS_URL (e.g. redis://127.0.0.1:6379/0) first."; exit 1; }
	$(BIN)/celery -A config worker --beat --loglevel=INFO --schedule=$(VENV)/celerybeat-schedule

bench: $(INSTALLED)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .hypothesis
