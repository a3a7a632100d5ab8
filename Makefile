# Two commands: `make run` (set up, demo data, serve on http://127.0.0.1:8000) and `make test`.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000

.PHONY: run test check test-future api-fuzz setup lint worker messages browser system-run clean

$(VENV)/.installed: requirements.txt requirements-dev.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	@touch $@

setup: $(VENV)/.installed messages
	$(PY) manage.py migrate --noinput

messages: $(VENV)/.installed
	@if command -v msgfmt >/dev/null 2>&1; then $(PY) manage.py compilemessages -v0 --ignore=.venv --ignore=var; \
	else echo "msgfmt not found: using the committed .mo files"; fi

# Serve with demo data; a Celery worker (with beat) runs beside the server on the transport that
# CELERY_BROKER_URL names (by default kombu's filesystem transport under var/celery).
run: setup system-run
	$(PY) manage.py demo_data
	@echo "Starting the Celery worker and the web server on http://127.0.0.1:$(PORT)"
	@$(VENV)/bin/celery -A agency worker --beat --pool=threads --concurrency=2 --loglevel=INFO \
		--schedule=var/celerybeat-schedule >var/celery-worker.log 2>&1 & echo $$! > var/celery-worker.pid; \
	trap 'kill $$(cat var/celery-worker.pid) 2>/dev/null' EXIT INT TERM HUP; \
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

worker: $(VENV)/.installed
	$(VENV)/bin/celery -A agency worker --loglevel=INFO

# System packages from Debian: a Chinese font for PDFs (fonts-wqy-microhei), and for the tests Chromium
# (browser tests) and poppler-utils (PDF pages rendered to PNG). Installed when we are allowed to.
SYSTEM_PACKAGES_RUN := fonts-wqy-microhei
SYSTEM_PACKAGES_TEST := fonts-wqy-microhei chromium poppler-utils
define apt_ensure
	@missing=""; for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			echo "installing Debian packages:$$missing"; \
			(DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$missing >/dev/null 2>&1 || \
			 (apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$missing >/dev/null)) \
			|| echo "could not install$$missing: tests that need them skip (and fail under CI)"; \
		else echo "please install the Debian packages:$$missing"; fi; fi
endef

system-run:
	$(call apt_ensure,$(SYSTEM_PACKAGES_RUN))

browser:
	$(call apt_ensure,$(SYSTEM_PACKAGES_TEST))

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .

# The static checks, no database or browser needed: ruff, migrations in step with the models, the import
# contracts of ARCHITECTURE.md (lint-imports), types (mypy, strict on the pure engines), templates (djLint
# format and lint). Configuration in pyproject.toml. Every check runs even when one before it failed; the
# target fails naming those that did. `djlint . --reformat` fixes the template format.
check: $(VENV)/.installed
	@failed=""; \
	echo "== ruff"; $(VENV)/bin/ruff check . || failed="$$failed ruff"; \
	echo "== makemigrations --check"; $(PY) manage.py makemigrations --check --dry-run >/dev/null || failed="$$failed makemigrations"; \
	echo "== lint-imports"; $(VENV)/bin/lint-imports --no-logo || failed="$$failed lint-imports"; \
	echo "== mypy"; $(VENV)/bin/mypy || failed="$$failed mypy"; \
	echo "== djlint --check"; $(VENV)/bin/djlint . --check --quiet || failed="$$failed djlint-format"; \
	echo "== djlint --lint"; $(VENV)/bin/djlint . --lint --quiet || failed="$$failed djlint-lint"; \
	if [ -n "$$failed" ]; then echo "checks failed:$$failed"; exit 1; fi

test: $(VENV)/.installed check messages browser
	$(PY) -m pytest $(PYTEST_ARGS)

# The whole suite again with the clock a year ahead (tests/conftest.py): catches tests that depend on today.
test-future: $(VENV)/.installed messages browser
	TEST_CLOCK_SHIFT_DAYS=365 $(PY) -m pytest $(PYTEST_ARGS)

# Fuzz the live API against its OpenAPI schema (schemathesis) with a manager's and a merchant's token, on a
# scratch PostgreSQL database beside DATABASE_URL's; fails on any server error or schema violation.
api-fuzz: $(VENV)/.installed
	bash .ci/api-fuzz

clean:
	rm -rf var/celery var/db.sqlite3 var/static
