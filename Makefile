# Sinergi. `make run` serves the demo school; `make test` runs ruff and the tests.
# Django 6 needs Python 3.12+; PYTHON=/path/to/python3.12 names the one interpreter to use.

SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

NEEDS_PYTHON = Sinergi needs Python 3.12 or newer (Django 6). Install it, or run: make PYTHON=/path/to/python3.12 run
IS_312 = -c 'import sys; sys.exit(sys.version_info < (3, 12))'
# Which interpreter a python is (a venv's python answers for the one it was built with).
WHICH_PYTHON = -c 'import os, sys; print("Python", sys.version.split()[0], "at", os.path.realpath(sys.base_prefix))'

ifdef PYTHON
# PYTHON= names the one interpreter to use: no search, no falling back to another.
FIND_PYTHON = p=$$(command -v $(PYTHON) 2>/dev/null) && $$p $(IS_312) 2>/dev/null && echo $$p
else
# The first interpreter of 3.12 or newer: python3.13/3.12 on PATH, then pyenv's installs.
FIND_PYTHON = for c in python3.13 python3.12 python3 $$HOME/.pyenv/versions/3.13*/bin/python3 $$HOME/.pyenv/versions/3.12*/bin/python3; do \
	  p=$$(command -v $$c 2>/dev/null) || continue; \
	  $$p $(IS_312) 2>/dev/null && { echo $$p; exit 0; }; \
	done; exit 1
endif

.PHONY: run test ci venv check-python lint format bandit scan migrate messages compilemessages seed worker beat bench bench-import fault fault-short clean

# An existing .venv of 3.12+ is kept, whatever PYTHON says (check-python warns).
$(VENV)/.installed: requirements.txt requirements-dev.txt | check-python
	@if [ ! -x $(PY) ] || ! $(PY) $(IS_312) 2>/dev/null; then \
	  found=$$($(FIND_PYTHON)) || { echo "$(NEEDS_PYTHON)" >&2; exit 1; }; \
	  echo "Creating $(VENV) with $$found"; rm -rf $(VENV); $$found -m venv $(VENV); \
	fi
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

# A PYTHON= that is missing or older than 3.12 stops every target that needs the
# venv, even when .venv is up to date; the + runs these lines under make -n too.
check-python:
ifdef PYTHON
	+@found=$$($(FIND_PYTHON)) || { echo "$(NEEDS_PYTHON)" >&2; exit 1; }; \
	if $(PY) $(IS_312) 2>/dev/null && [ "$$($(PY) $(WHICH_PYTHON))" != "$$($$found $(WHICH_PYTHON))" ]; then \
	  echo "Warning: $(VENV) was built with $$($(PY) $(WHICH_PYTHON)), not $(PYTHON); keeping it (make clean venv PYTHON=$(PYTHON) rebuilds it)" >&2; \
	fi
endif

venv: $(VENV)/.installed

compilemessages: venv
	@if command -v msgfmt >/dev/null; then $(PY) manage.py compilemessages --ignore '.venv' --ignore '.venv-scan' -v0; \
	else echo "msgfmt not found: using the committed .mo files"; fi

migrate: venv
	$(PY) manage.py migrate --noinput

seed: migrate
	$(PY) manage.py seed_demo

# The demo as people meet it: DEBUG off (friendly error pages, WhiteNoise), a
# secret key made on first run in .secret_key, links to http://HOST:PORT.
DEMO_ENV = SINERGI_DEMO=1 HOST=$(HOST) PORT=$(PORT)

run: venv compilemessages migrate
	@$(DEMO_ENV) $(PY) manage.py shell -v 0 -c "from roster.models import School; import sys; sys.exit(0 if School.objects.exists() else 1)" \
	  || $(DEMO_ENV) $(PY) manage.py seed_demo
	@echo
	@echo "Sinergi runs at $$($(DEMO_ENV) $(PY) manage.py shell -v 0 -c 'from django.conf import settings; print(settings.SITE_URL)')"
	@echo "Demo sign-ins (password demo1234): teacher, homeroom, counselor, counselor2, vp, admin"
	@echo
	$(DEMO_ENV) $(PY) manage.py runserver $(HOST):$(PORT)

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: venv
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Security scan of our code: fails on any high-severity finding.
BANDIT_PATHS = common accounts roster referrals schooldata casework forums interventions reports notifications audit config privacy demo
bandit: venv
	$(VENV)/bin/bandit -r $(BANDIT_PATHS) -lll -q

# Security scan of the running app: wapiti3 (in .venv-scan) attacks a throwaway
# copy of the demo school signed in as each role; fails on any vulnerability,
# 500 or traceback. Reports in .ci/artifacts/scan/ or $ARTIFACTS/scan/ (scripts/scan.sh).
scan: venv bandit
	APP_VENV=$(abspath $(VENV)) bash scripts/scan.sh

test: venv compilemessages lint bandit
	$(PY) manage.py makemigrations --check --dry-run -v0
	SINERGI_TESTING=1 $(PY) -m pytest $(PYTEST_ARGS)

MESSAGES_IGNORE = --ignore '.venv/*' --ignore '.venv-scan/*' --ignore 'staticfiles/*' --ignore 'tests/*' --ignore 'docs/*' --ignore 'scripts/*'

messages: venv
	$(PY) manage.py makemessages -l id -l en $(MESSAGES_IGNORE) --no-obsolete
	$(PY) manage.py makemessages -d djangojs -l id -l en $(MESSAGES_IGNORE) --ignore 'static/vendor/*' --no-obsolete

worker: venv
	$(VENV)/bin/celery -A config worker -l info

beat: venv
	$(VENV)/bin/celery -A config beat -l info

# Page benchmark (scripts/bench.py, about 10 minutes): the demo school and the same school
# grown to three years of history on a throwaway PostgreSQL database, gunicorn with DEBUG
# off; prints JSON (pages as multiples of a bare page, SQL, query plans, a load phase).
# BENCH_ARGS passes options, e.g. make bench BENCH_ARGS="--rounds 20 --out bench.json".
bench: venv compilemessages
	$(PY) scripts/bench.py $(BENCH_ARGS)

# How long importing 1,000 students takes (scripts/bench_import.py).
bench-import: venv
	$(PY) scripts/bench_import.py
	$(PY) scripts/bench_freeslots.py

# Fault test under load (scripts/fault_test.py): two app processes, a worker and
# beat on a private Redis; Redis stopped and started, the worker killed with
# SIGKILL; prints JSON, fails on any 5xx, lost or duplicated email. About 5
# minutes; fault-short (CI) about 3.
fault: venv
	$(PY) scripts/fault_test.py --form full

fault-short: venv
	$(PY) scripts/fault_test.py --form short

ci:
	bash .ci/run

clean:
	rm -rf $(VENV) staticfiles
