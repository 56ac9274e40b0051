# `make run` serves the site with demo content; `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum requirements.txt | cut -d' ' -f1)
# make test also runs the suite on PostgreSQL when this server answers.
POSTGRES_TEST_URL ?= postgres://postgres@127.0.0.1:5432/jokesite
DEV := DEBUG=1

.PHONY: install run serve bench backup restore test test-sqlite test-postgres lint audit demo clean

install: $(STAMP)

$(STAMP): requirements.txt
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	rm -f $(VENV)/.installed-*
	touch $@

demo: install
	$(DEV) $(BIN)/python manage.py migrate --noinput
	$(DEV) $(BIN)/python manage.py load_demo

run: demo
	$(DEV) $(BIN)/python manage.py runserver 127.0.0.1:8000

# As in production: DEBUG off, gunicorn (config/gunicorn.py), whitenoise serving the
# compressed, hashed static files. Needs SECRET_KEY and ALLOWED_HOSTS (README, Operations).
serve: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	$(BIN)/gunicorn --config config/gunicorn.py config.wsgi

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(DEV) $(BIN)/python manage.py check --fail-level WARNING
	$(DEV) $(BIN)/python manage.py makemigrations --check --dry-run

# Operator targets: they act on the database and media the environment names
# (DATABASE_URL, MEDIA_ROOT); in development run them as `DEBUG=1 make backup`.
BACKUP_DIR ?= backups

backup: install
	$(BIN)/python manage.py backup --output $(BACKUP_DIR)

restore: install
	@test -n "$(FILE)" || { echo "usage: make restore FILE=backups/backup-YYYYmmdd-HHMMSS.tar.gz" >&2; exit 2; }
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py restore "$(FILE)"

# The benchmark (bench/run.py): QUICK=1 for 1k on SQLite in under two minutes.
bench: install
	@command -v wrk >/dev/null || (apt-get install -y -qq wrk >/dev/null)
	$(BIN)/python bench/run.py $(if $(QUICK),--quick,)

# Known vulnerabilities in the pinned dependencies (scripts/audit.py says what it could check).
audit: install
	$(BIN)/python scripts/audit.py

test-sqlite: install
	env -u DATABASE_URL $(BIN)/pytest -p no:cacheprovider -n 2

test-postgres: install
	@if $(BIN)/python scripts/postgres_answers.py "$(POSTGRES_TEST_URL)"; then \
		echo "== PostgreSQL at $(POSTGRES_TEST_URL)"; \
		DATABASE_URL="$(POSTGRES_TEST_URL)" $(BIN)/pytest -p no:cacheprovider -n 2; \
	elif [ "$(REQUIRE_POSTGRES)" = "1" ]; then \
		echo "PostgreSQL is required (REQUIRE_POSTGRES=1) but $(POSTGRES_TEST_URL) does not answer." >&2; \
		exit 1; \
	else \
		echo "== PostgreSQL at $(POSTGRES_TEST_URL) does not answer: the PostgreSQL run is SKIPPED."; \
	fi

test: lint audit test-sqlite test-postgres

clean:
	rm -rf $(VENV) db.sqlite3 db.sqlite3-* staticfiles .pytest_cache .ruff_cache
