# The two commands: `make demo` and `make test`. Everything else supports them.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
export DJANGO_SETTINGS_MODULE ?= contactcenter.settings.dev
DEMO_SERVE ?= 1
HOST ?= 127.0.0.1
PORT ?= 8000
# `make serve` keeps a simulated today flowing for the wallboard (manage.py demo_live);
# DEMO_LIVE=0 leaves it out, DEMO_LIVE_SPEED=10 runs it ten times faster.
DEMO_LIVE ?= 1
DEMO_LIVE_SPEED ?= 1
# The ASGI server (HTTP and the wallboard's WebSocket): docs/wallboard.md.
ASGI_SERVER = $(VENV)/bin/uvicorn contactcenter.asgi:application --host $(HOST) --port $(PORT)

.PHONY: demo test lint install lock db serve clean bench bench-quick messages

# Each target installs the lock file it needs (requirements/*.txt: every package, direct
# and transitive, with its hashes), then the project itself without dependencies; so a
# fresh machine runs exactly what CI ran. `make demo` installs the runtime alone.
REQ := requirements
PIP_LOCKED := $(PY) -m pip install --quiet --require-hashes -r

$(VENV)/.base: $(REQ)/base.txt pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP_LOCKED) $(REQ)/base.txt
	$(PY) -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $@

$(VENV)/.%: $(REQ)/%.txt $(VENV)/.base
	$(PIP_LOCKED) $<
	touch $@

install: $(VENV)/.base

# Rewrite the lock files after a change to the pins in pyproject.toml (needs the registry).
lock: $(VENV)/.dev
	LOCK_COMPILE=$(VENV)/bin/pip-compile requirements/lock.sh

# The Russian catalogues (<app>/locale/ru/LC_MESSAGES/django.po) compiled to .mo, which are
# build output (gitignored); needs GNU gettext's msgfmt (docs/i18n.md).
messages: install
	$(PY) manage.py compilemessages --ignore '.venv' --ignore 'staticfiles' --verbosity 0

db: install messages
	scripts/ensure_postgres.sh
	$(PY) manage.py ensure_database
	DATABASE_ROLE=owner $(PY) manage.py migrate --noinput
	$(PY) manage.py setup_roles

demo: db
	$(PY) manage.py collectstatic --noinput --verbosity 0
	$(PY) manage.py demo
	@if [ "$(DEMO_SERVE)" != "0" ]; then $(MAKE) --no-print-directory serve; fi

# The ASGI web server (uvicorn), a Celery worker and beat, and the live day, until Ctrl-C.
# Without a broker (Redis), tasks run in-process and there is no live day.
serve:
	@if $(PY) scripts/broker_answers.py; then \
	  echo "Broker answers: starting the web server, a Celery worker, beat and the live day. Ctrl-C stops all."; \
	  trap 'kill 0' INT TERM EXIT; \
	  $(VENV)/bin/celery -A contactcenter worker -l info --concurrency 2 & \
	  $(VENV)/bin/celery -A contactcenter beat -l info & \
	  if [ "$(DEMO_LIVE)" != "0" ]; then $(PY) manage.py demo_live --speed $(DEMO_LIVE_SPEED) & fi; \
	  $(ASGI_SERVER); \
	else \
	  echo "No broker answers at $${CELERY_BROKER_URL:-redis://127.0.0.1:6379/0}: tasks run in-process (CELERY_TASK_ALWAYS_EAGER=1), no worker, beat or live day."; \
	  CELERY_TASK_ALWAYS_EAGER=1 $(ASGI_SERVER); \
	fi

# The test settings explicitly: the exported dev default above would otherwise win over
# pytest.ini's (an environment variable beats the ini file in pytest-django).
# The suite's short load test drives locust, so the test run installs the load lock too.
test: $(VENV)/.test $(VENV)/.load messages
	scripts/ensure_postgres.sh
	DJANGO_SETTINGS_MODULE=contactcenter.settings.test $(VENV)/bin/pytest

lint: $(VENV)/.dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy
	$(PY) manage.py makemigrations --check --dry-run
	scripts/security_checks.sh

# Every benchmark, each figure beside its baseline in the same run: bench/RESULTS.md.
# As the owner: the benchmarks empty their tables with TRUNCATE, which the app role may not.
bench: db $(VENV)/.load
	DATABASE_ROLE=owner $(PY) bench/run_all.py

bench-quick: db $(VENV)/.load
	DATABASE_ROLE=owner $(PY) bench/run_all.py --quick

clean:
	rm -rf $(VENV) staticfiles
