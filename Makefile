# qms: two commands on a fresh machine with Python 3.11 and make: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
# the installation `make run` acts on: this folder's instance/ (a copy of the project acts on its own,
# even with a .venv copied from the original, which still imports the original's code)
QMS_INSTANCE_PATH ?= $(CURDIR)/instance
CATALOGUES := $(wildcard qms/translations/*/LC_MESSAGES/messages.po)
COMPILED := $(CATALOGUES:.po=.mo)

.PHONY: run test bench crash format translations messages clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(VENV)/.installed $@

## translations: compile the .po catalogues into the .mo files Flask-Babel reads (git-ignored)
%.mo: %.po | $(VENV)/.installed
	$(BIN)/pybabel compile -i $< -o $@

translations: $(COMPILED)

## messages: extract every message of the code and templates into the catalogues (then translate the empty ones);
## folders starting with _ (templates/_macros) are read too, hidden ones are not
messages: | $(VENV)/.installed
	$(BIN)/pybabel extract -F qms/babel.cfg -k _l -k lazy_gettext -k lazy_ngettext:1,2 --ignore-dirs=".*" \
		-o .messages.pot .
	$(BIN)/pybabel update -i .messages.pot -d qms/translations --no-fuzzy-matching --ignore-obsolete
	rm -f .messages.pot

## run: install, migrate, load the demo commune on first run, serve http://127.0.0.1:$(PORT)
run: $(VENV)/.installed translations
	QMS_DEMO=1 QMS_INSTANCE_PATH="$(QMS_INSTANCE_PATH)" $(BIN)/qms db upgrade
	QMS_DEMO=1 QMS_INSTANCE_PATH="$(QMS_INSTANCE_PATH)" $(BIN)/qms demo load --if-empty
	QMS_DEMO=1 QMS_INSTANCE_PATH="$(QMS_INSTANCE_PATH)" $(BIN)/qms serve --port $(PORT)

## test: lint, formatting and the import rules, then the whole suite on both cores (SQLite; PostgreSQL when
## QMS_TEST_DATABASE_URL is set); the 10 slowest tests are printed at the end
test: $(VENV)/.installed-test translations
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache
	$(BIN)/python -m pytest -q -n auto --durations=10 $(PYTEST_ARGS)

## format: format the code and fix what the linter can (run before committing)
format: $(VENV)/.installed-test
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

## bench: timing goals, printed as medians and ratios (not part of `make test`)
bench: $(VENV)/.installed-test translations
	$(BIN)/python -m tests.benchmarks

## crash: gunicorn (3 workers, SQLite) killed with kill -9 20 times under uploads and downloads, then checked
## from outside; prints kills, acknowledged and lost writes, restart times, leftovers (not part of `make test`)
crash: $(VENV)/.installed-test translations
	$(BIN)/python -m tests.crash $(CRASH_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache $(COMPILED)
