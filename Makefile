# The two commands: `make run` (the whole service) and `make test` (the whole suite).
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
PORT ?= 8000
SEED_DEMO ?= 1
# make test DB=sqlite runs the suite on SQLite (PostgreSQL-only tests are skipped, with why).
DB ?= postgres
TEST_POSTGRES_URL ?= postgresql://postgres@127.0.0.1:5432/clinic
TEST_REDIS_URL ?= redis://127.0.0.1:6379/15
PYTEST_ARGS ?=

ifeq ($(DB),sqlite)
TEST_DATABASE_URL := sqlite:///$(CURDIR)/var/test.sqlite3
else
TEST_DATABASE_URL := $(TEST_POSTGRES_URL)
endif

.PHONY: install run test fuzz lint audit bench clean backup restore

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -e ".[dev]"
	@touch $(STAMP)

# Spectral (the OpenAPI linter the suite runs), pinned in package-lock.json.
SPECTRAL := node_modules/.bin/spectral
$(SPECTRAL): package.json package-lock.json
	npm ci --no-audit --no-fund --silent
	@touch $(SPECTRAL)

install: $(STAMP)

# A local secret key for the quick start; production sets SECRET_KEY in the environment.
.env:
	@$(PYTHON) -c "import secrets; print('SECRET_KEY=' + secrets.token_urlsafe(50))" > .env
	@echo "Wrote a local SECRET_KEY to .env"

run: install .env
	$(PY) manage.py migrate --noinput
	$(PY) manage.py collectstatic --noinput --verbosity 0
	@if [ "$(SEED_DEMO)" != "0" ]; then $(PY) manage.py seed_demo; fi
	@echo "API on http://127.0.0.1:$(PORT)/api/docs/ - Ctrl-C stops the API, worker and beat."
	exec $(VENV)/bin/honcho --procfile Procfile --app-root . start --port $(PORT)

test: install $(SPECTRAL)
	SECRET_KEY=test-only-secret-key-not-for-production-use DEBUG=0 FAST_PASSWORD_HASHER=1 \
	DATABASE_URL=$(TEST_DATABASE_URL) CELERY_BROKER_URL=$(TEST_REDIS_URL) \
	CACHE_URL=locmemcache:// API_RATE_USER=1000000/min API_RATE_ADDRESS=1000000/min \
	$(PY) -m pytest $(PYTEST_ARGS)

# A copy of the database while the service runs (README, Operations): pg_dump -Fc on
# PostgreSQL, the online backup API on SQLite. BACKUP=file chooses where.
backup: install
	$(PY) manage.py backup $(if $(BACKUP),--output $(BACKUP))

# Restore BACKUP=file into the database of DATABASE_URL, which must be new or empty.
restore: install
	@test -n "$(BACKUP)" || { echo "usage: make restore BACKUP=var/backups/clinic-....dump"; exit 2; }
	$(PY) manage.py restore $(BACKUP)

# The schemathesis fuzz run of the suite, and the clinical properties (check-in decision,
# prescription sequences, program changes), each with many more examples than in `make test`.
fuzz: install
	$(MAKE) test PYTEST_ARGS="tests/test_api_fuzz.py tests/programs/test_check_ins_decision.py tests/programs/test_prescriptions_property.py tests/programs/test_program_flow_property.py -p no:logging" \
		FUZZ_EXAMPLES=$${FUZZ_EXAMPLES:-200} HYPOTHESIS_EXAMPLES=$${HYPOTHESIS_EXAMPLES:-5000} \
		PRESCRIPTION_EXAMPLES=$${PRESCRIPTION_EXAMPLES:-3000} PROGRAM_FLOW_EXAMPLES=$${PROGRAM_FLOW_EXAMPLES:-2000}

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# Known vulnerabilities in the installed dependencies (needs the PyPI JSON API).
audit: install
	$(PY) -m pip install --quiet --disable-pip-version-check -e ".[audit]"
	$(VENV)/bin/pip-audit --skip-editable --progress-spinner off

clean:
	rm -rf $(VENV) var .pytest_cache
