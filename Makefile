# The two commands of the README, and a few helpers.
#   make run   - a local site with demo content on SQLite, at http://$(HOST):$(PORT),
#                with a task worker beside it that sends the emails
#   make test  - install the test tools and run the whole suite
#                (on PostgreSQL when DATABASE_URL is set, else SQLite)

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint check serve clean bench bench-import bench-audit bench-replica

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.runtime-installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev-installed: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.runtime-installed

run: $(VENV)/.runtime-installed
	@test -f .env || { printf 'DEBUG=true\n' > .env; echo "Created .env with DEBUG=true for local development."; }
	DEBUG=true $(BIN)/python manage.py migrate --noinput
	DEBUG=true $(BIN)/python manage.py seed_demo
	@echo "Starting the task worker (it sends the emails, to this console) beside the server; both stop together."
	DEBUG=true $(BIN)/python manage.py db_worker --no-reload & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker' EXIT INT TERM; \
	DEBUG=true $(BIN)/python manage.py runserver $(HOST):$(PORT)

test: $(VENV)/.dev-installed
	$(BIN)/python -m pytest

lint: $(VENV)/.dev-installed
	$(BIN)/ruff check .

check: $(VENV)/.dev-installed
	DEBUG=true $(BIN)/python manage.py makemigrations --check --dry-run
	DEBUG=true $(BIN)/python manage.py check

# Production-style serving: gunicorn + whitenoise (needs SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL).
serve: $(VENV)/.runtime-installed
	$(BIN)/python manage.py collectstatic --noinput
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/gunicorn config.wsgi --bind $(HOST):$(PORT) --workers $${WEB_CONCURRENCY:-3}

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache .hypothesis

# Throughput of the cached article page against a bare-Django floor (PostgreSQL, Redis, gunicorn, wrk).
bench: $(VENV)/.runtime-installed
	bash bench/run.sh

# Time and peak memory of importing a 10,000-entry reference file in each format (PostgreSQL).
bench-import: $(VENV)/.runtime-installed
	bash bench/import.sh

# Time and peak memory of `manage.py audit` over 10,000 live articles (PostgreSQL, Redis if running).
bench-audit: $(VENV)/.runtime-installed
	bash bench/audit.sh

# A primary, a streaming replica and two app servers on one machine: reads routed, one server vs two (run as root).
bench-replica: $(VENV)/.runtime-installed
	bash bench/replica.sh
