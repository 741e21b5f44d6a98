# Two commands for a fresh machine: `make run` and `make test`. Both build on `make install`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
FLASK := $(BIN)/flask --app app
HOST ?= 127.0.0.1
PORT ?= 5000
DEMO_ENTERPRISES ?= 300

.PHONY: install run test serve bench bench-scale lint format translations catalogs clean

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "$(PYTHON) not found: install Python 3.11 (apt-get install python3.11 python3.11-venv)"; exit 1; }
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP) catalogs

# Compiled catalogs are build output (not committed): compile whenever a .po is newer.
catalogs: $(STAMP)
	$(BIN)/pybabel compile -d translations -D messages >/dev/null

# Background jobs run in a thread of the dev server (JOBS_EMBEDDED), queued in
# instance/job-queue.sqlite3: a job queued or running when it stops goes on at the next run.
run: install
	$(FLASK) init-db
	$(FLASK) seed-demo --enterprises $(DEMO_ENTERPRISES) --if-empty
	@echo ""
	@echo "  慈溪企业数字化水平自评估 is running at  http://$(HOST):$(PORT)/"
	@echo ""
	DEMO_MODE=1 JOBS_EMBEDDED=1 $(FLASK) run --host $(HOST) --port $(PORT)

test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Background jobs need a worker beside gunicorn: `$(FLASK) jobs-worker` (one or more per node;
# with JOB_QUEUE_URL=redis://… any worker takes any node's jobs). README: Background jobs.
serve: install
	$(FLASK) init-db
	$(BIN)/gunicorn --config gunicorn.conf.py 'app:app'

bench: install
	$(BIN)/python -m bench.run
	$(BIN)/python -m bench.submit_load

# The province-scale tier (issue 17): 1M assessments on PostgreSQL, separate from `make bench`.
bench-scale: install
	$(BIN)/python -m bench.scale $(BENCH_SCALE_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Re-extract messages and merge them into both catalogs (developers only).
translations: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k N_ -k ngettext:1,2 -o translations/messages.pot --no-location --sort-output .
	$(BIN)/pybabel update -i translations/messages.pot -d translations -D messages --no-fuzzy-matching --ignore-obsolete

clean:
	rm -rf $(VENV) instance/*.sqlite3
