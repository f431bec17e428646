# Two commands for a newcomer: `make run` and `make test`. Each installs whatever is missing first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
FLASK := $(BIN)/flask --app wsgi

.PHONY: run test check install assets debian-tools clean help bench screenshots

help:
	@echo "make run    install what is missing, prepare the database and demo, serve on http://$(HOST):$(PORT)"
	@echo "make test   install what is missing (Chromium too) and run every test"

$(BIN)/python:
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11 or newer is needed"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.runtime: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: requirements-dev.txt requirements.txt $(VENV)/.runtime
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

static/css/app.css: static/scss/app.scss node_modules/.installed
	npm run --silent build

assets: static/css/app.css
	@test -f static/js/vendor/govuk-frontend.min.js || npm run --silent build:js

install: $(VENV)/.runtime assets

# Debian programs the tests call: Chromium for the browser tests, poppler (pdftotext, pdftoppm, pdfinfo) for PDFs,
# mount and umount for a small filesystem that fills up (the test skips itself where mounting is not allowed).
DEBIAN_TOOLS := chromium:chromium pdftotext:poppler-utils pdftoppm:poppler-utils pdfinfo:poppler-utils mount:mount umount:mount
debian-tools:
	@missing=$$(for pair in $(DEBIAN_TOOLS); do command -v $${pair%%:*} >/dev/null || echo $${pair#*:}; done | sort -u); \
	if [ -n "$$missing" ]; then \
	  $(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; fi
	@for pair in $(DEBIAN_TOOLS); do command -v $${pair%%:*} >/dev/null || { echo "Could not install Debian's $${pair#*:}"; exit 1; }; done

# One process: the server migrates, loads the frameworks and (with COMPLIANCE_LOAD_DEMO) the demo as it starts.
run: install
	@echo "Serving on http://$(HOST):$(PORT)  (Ctrl+C stops it). Sign in with a demo account below."
	@echo
	COMPLIANCE_LOAD_DEMO=1 COMPLIANCE_BASE_URL=$${COMPLIANCE_BASE_URL:-http://$(HOST):$(PORT)} $(BIN)/waitress-serve --listen=$(HOST):$(PORT) --threads=4 wsgi:app

# Two workers (pytest-xdist), each taking whole modules so that a module's fixtures are built once; the slowest
# tests are listed at the end.
test: check assets debian-tools
	$(BIN)/python -m pytest -n 2 --dist loadscope --durations=15

# The browser tests again, writing a screenshot of every page they check to test-artifacts/, to look at.
screenshots: assets debian-tools $(VENV)/.dev
	COMPLIANCE_SCREENSHOTS=1 $(BIN)/python -m pytest -n 2 --dist loadscope tests/browser

# Static checks, before the tests. bandit reads the application (the benchmark and the tests are not shipped);
# each finding it must not report is silenced where it is, with the reason. pip-audit checks the pinned
# requirements (all pinned, so --no-deps) against PyPI's advisories and fails on any known vulnerability; where
# PyPI's advisory service cannot be reached it can only skip a package, and says so loudly.
AUDIT := $(BIN)/pip-audit --progress-spinner off --disable-pip --no-deps -r requirements.txt
check: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/mypy
	@# bandit's findings and exit status are on stdout; stderr only warns about lines near each nosec.
	$(BIN)/bandit -q -r compliance wsgi.py 2>/dev/null
	$(AUDIT) 2>/dev/null
	@$(AUDIT) --strict >/dev/null 2>&1 || echo "WARNING: pip-audit could not reach PyPI's advisory service for some packages: they were NOT audited"

clean:
	rm -rf $(VENV) node_modules static/css static/js/vendor .pytest_cache .hypothesis test-artifacts

# Figures, not a test: matrix page at 200 and 1,000 organisations, one statement PDF, the board pack, peak memory,
# and 16 people saving beside a bare Flask + SQLite floor. It drives the app with the load tests' clients, so it
# needs the test requirements too.
bench: $(VENV)/.dev
	$(BIN)/python -m bench
