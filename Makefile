# MotCua: `make demo` and `make test` are the two commands (README). Both are idempotent.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
export VAR_DIR ?= $(CURDIR)/var

.PHONY: setup system-packages demo test lint format lock audit

# Debian packages the project needs: Chromium for browser tests, gettext for translations,
# Pango and HarfBuzz (and a fallback font) for the PDF documents WeasyPrint renders.
system-packages:
	@missing=""; \
	command -v chromium >/dev/null || missing="$$missing chromium"; \
	command -v msgfmt >/dev/null || missing="$$missing gettext"; \
	command -v wrk >/dev/null || missing="$$missing wrk"; \
	for pkg in libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core; do \
	  dpkg -s $$pkg >/dev/null 2>&1 || missing="$$missing $$pkg"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:$$missing"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

# pip and setuptools current, then the locked versions of every dependency (make lock), then
# MotCua itself, editable: the versions the tests pass with are the ones production installs.
$(VENV)/.installed: pyproject.toml requirements/dev.txt
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check --upgrade pip setuptools
	$(PY) -m pip install -q --disable-pip-version-check --require-hashes -r requirements/dev.txt
	$(PY) -m pip install -q --disable-pip-version-check --no-deps -e .
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

locale/en/LC_MESSAGES/django.mo: locale/en/LC_MESSAGES/django.po
	msgfmt --check -o $@ $<

setup: system-packages $(VENV)/.installed node_modules/.installed locale/en/LC_MESSAGES/django.mo
	@mkdir -p $(VAR_DIR)

$(VAR_DIR)/secret_key:
	@mkdir -p $(VAR_DIR)
	@$(PY) -c "import secrets; print(secrets.token_urlsafe(50))" > $@

demo: setup $(VAR_DIR)/secret_key
	@export SECRET_KEY="$$(cat $(VAR_DIR)/secret_key)" SECURE_COOKIES=false SANDBOX_ENABLED=true DEMO_MODE=true \
	  SITE_URL="$${SITE_URL:-http://$(HOST):$(PORT)}"; \
	$(PY) manage.py collectstatic --noinput -v0 && \
	$(PY) manage.py migrate --noinput -v0 && \
	$(PY) manage.py load_demo && \
	$(PY) manage.py load_demo_api && \
	$(PY) manage.py create_demo_pki && \
	$(PY) manage.py load_demo_history && \
	$(PY) manage.py load_demo_proactive && \
	echo "MotCua is serving at http://$(HOST):$(PORT)/, links and QR codes to $$SITE_URL/ (Ctrl+C to stop)" && \
	exec deploy/serve --host $(HOST) --port $(PORT) --workers 1 --blocking-threads 4

test: setup
	MOTCUA_TESTING=true DJANGO_ALLOW_ASYNC_UNSAFE=true $(PY) -m pytest $(PYTEST_ARGS)

lint:
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache

format:
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# The lock files (decision 23): every dependency in pyproject.toml pinned with its hashes, for
# Python 3.11 on Linux x86_64; production installs requirements/production.txt, development
# and CI requirements/dev.txt. Pins that still satisfy pyproject.toml are kept;
# `make lock UPGRADE=1` moves every one to its newest release.
LOCK = $(VENV)/bin/uv pip compile pyproject.toml --quiet --generate-hashes \
	--python-version 3.11 --python-platform x86_64-unknown-linux-gnu \
	--custom-compile-command "make lock" $(if $(UPGRADE),--upgrade)

lock: $(VENV)/.installed
	$(LOCK) --output-file requirements/production.txt
	$(LOCK) --extra dev --output-file requirements/dev.txt

# Known vulnerabilities in the locked versions, from the OSV database; where it cannot be
# reached (an offline machine) the audit is skipped with a message, not failed.
OSV_HOST ?= api.osv.dev

audit: $(VENV)/.installed
	@if $(PY) -c "import socket; socket.create_connection(('$(OSV_HOST)', 443), timeout=5).close()" 2>/dev/null; then \
	  $(VENV)/bin/pip-audit --progress-spinner off --vulnerability-service osv --disable-pip \
	    --require-hashes -r requirements/production.txt -r requirements/dev.txt; \
	else \
	  echo "make audit: skipped, the advisory database ($(OSV_HOST)) cannot be reached from here."; \
	fi
