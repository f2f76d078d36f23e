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

.PHONY: install run test test-fast fuzz lint audit bench clean backup restore

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

# The edit-test loop: everything but the live drills and the browser tests (CI runs `make test`).
test-fast:
	$(MAKE) test PYTEST_ARGS='-m "not celery_live and not fault_live and not browser" $(PYTEST_ARGS)'

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

# Every benchmark in bench/ at a size that fits in a few minutes on 2 cores, each figure
# printed beside its target, with the core count and the load average (others may share
# the cores). A benchmark that fails or no longer runs fails `make bench`.
# BENCH_POSTGRES_URL / BENCH_REDIS_URL choose the servers; the scripts make their own databases.
BENCH_PATIENTS ?= 2000
BENCH_LOAD_SECONDS ?= 20
bench: install
	$(PY) -m pip install --quiet --disable-pip-version-check -e ".[bench]"
	@set -e; \
	machine() { echo "--- $$(nproc) cores, load average $$(cut -d' ' -f1-3 /proc/loadavg)"; }; \
	run() { echo; echo "=== $$1 (target: $$2)"; machine; shift 2; $(PY) "$$@"; }; \
	run caseload "p95 < 50 ms, within 2x its SQL time" bench/caseload.py --calls 50; \
	run availability "p95 < 150 ms, queries constant" bench/bookings_availability.py --calls 20; \
	run "concurrent booking" "no overlapping appointments" bench/bookings_concurrency.py --rounds 1; \
	run notifications "0 duplicates" bench/notifications_throughput.py --count 2000; \
	run "record export" "5,000 check-ins in < 0.5 s, bounded memory" \
		bench/record_export.py --check-ins 5000 --runs 1; \
	run "mixed load" "ALL >= 200 req/s, p95 < 250 ms, no errors" bench/load_test.py \
		--patients $(BENCH_PATIENTS) --users 20 --seconds $(BENCH_LOAD_SECONDS) --spawn-rate 10; \
	echo; machine; echo "every benchmark ran"

clean:
	rm -rf $(VENV) var .pytest_cache
