# The two commands a newcomer needs:  make run  and  make test  (see README.md).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST_PORT ?= 127.0.0.1:8000
# Tests read no .env: what they need is set here, and DATABASE_URL (if set) picks the database.
TEST_ENV := DJANGO_ENV_FILE= DJANGO_DEBUG=true

.PHONY: run setup test lint messages clean

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

# Local settings for the run command only: DEBUG on, SQLite in the project folder.
.env:
	printf 'DJANGO_DEBUG=true\n' > .env

setup: $(VENV)/.installed .env
	$(PY) manage.py migrate --no-input
	$(PY) manage.py load_units
	$(PY) manage.py demo_accounts
	$(PY) manage.py load_demo_plan

# The worker (long documents, made in the background) runs beside the server and stops with it.
run: setup
	$(PY) manage.py db_worker & WORKER=$$!; \
	trap 'kill $$WORKER 2>/dev/null' EXIT INT TERM; \
	$(PY) manage.py runserver $(HOST_PORT)

test: $(VENV)/.installed
	$(TEST_ENV) $(PY) -m pytest -n auto $(PYTEST_ARGS)

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

messages: $(VENV)/.installed
	$(PY) manage.py makemessages --locale vi --locale en --no-obsolete --ignore '$(VENV)/*'
	$(PY) manage.py compilemessages --ignore '$(VENV)/*'

clean:
	rm -rf $(VENV) staticfiles .pytest_cache
