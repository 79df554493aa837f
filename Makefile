# `make demo`: fresh venv, install, ingest the bundled corpus and print the gap report.
# `make test`: fresh venv, install with test extras, run the tests.
PYTHON ?= python3
VENV ?= .venv
BIN = $(VENV)/bin
DB ?= demo.db

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .

install-test: $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'

demo: install
	rm -f $(DB) $(DB)-wal $(DB)-shm
	$(BIN)/followthrough --db $(DB) ingest corpus/
	$(BIN)/followthrough --db $(DB) statements --kind commitment --limit 15

test: install-test
	$(BIN)/python -m pytest -q

.PHONY: install install-test demo test
