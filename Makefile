# Orderdesk: `make run` serves the app with demo data, `make test` runs the whole suite.
# Needs GNU make and python3 >= 3.11; everything else is installed on first use.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Written after a successful install; pyproject.toml being newer means the install is stale.
STAMP := $(VENV)/.installed
# The browser tests drive Debian's Chromium, never a browser downloaded by Playwright.
CHROMIUM := /usr/bin/chromium
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# Extra arguments for pytest (`make test ARGS="-k totals"`) or bench/pages.py.
ARGS ?=

.PHONY: venv run serve worker test lint bench

venv: $(STAMP)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
		|| { echo "Orderdesk needs Python 3.11 or newer as $(PYTHON)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[test]'
	@touch $(STAMP)

$(CHROMIUM):
	@echo "The browser tests need Debian's chromium package; installing it."
	$(SUDO) apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium >/dev/null

run: venv
	$(BIN)/flask --app app db upgrade
	$(BIN)/flask --app app demo-data --if-empty
	$(BIN)/flask --app app run --host 127.0.0.1 --port $${PORT:-5000}

# Production serving (README, "Production"): gunicorn with app/serving.py's settings, and the
# outbox worker as a process of its own. Both read DATABASE_URL, SECRET_KEY and the rest from
# the environment; run `flask --app app db upgrade` once per release before starting them.
serve: venv
	$(BIN)/gunicorn -c python:app.serving "app:create_app()"

worker: venv
	$(BIN)/flask --app app worker

# -n auto: one test process per CPU (pytest-xdist), each on a database of its own.
test: venv $(CHROMIUM)
	$(BIN)/pytest -n auto $(ARGS)

lint: venv
	$(BIN)/ruff check app tests bench

bench: venv
	$(BIN)/python bench/pages.py $(ARGS)
