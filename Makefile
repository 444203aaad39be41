# The two commands of the README. `make run` installs newscrawl and fills data/news.db;
# `make test` installs what the tests need and runs the whole suite (what CI runs).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
URL ?= http://www.joongdo.co.kr/web/view.php?key=20200708010002304

.PHONY: install install-test run test

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

install: $(BIN)/python
	$(BIN)/pip install --quiet -e .

install-test: $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'

run: install
	$(BIN)/newscrawl fetch "$(URL)" --db data/news.db

test: install-test
	$(BIN)/python -m pytest
