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
	$(BIN)/followthrough --db $(DB) ingest corpus/documents corpus/rendered corpus/bridgend-plan
	$(BIN)/followthrough --db $(DB) statements --kind commitment --document bridgend_cabinet_2023_ciw_improvement_check_item168.txt
	$(BIN)/followthrough --db $(DB) gaps --plan plan.pdf --findings bridgend_cabinet_2023_ciw_improvement_check_item168.txt --as-of 2023-10-31 --format html -o gaps.html
	$(BIN)/followthrough --db $(DB) gaps --plan plan.pdf --findings bridgend_cabinet_2023_ciw_improvement_check_item168.txt --as-of 2023-10-31

test: install-test
	$(BIN)/ruff check followthrough tests tools benchmarks
	$(BIN)/ruff format --check followthrough tests tools benchmarks
	$(BIN)/python -m mypy followthrough
	$(BIN)/python -m pytest -q

.PHONY: install install-test demo test

# Rerun the README's examples and write what the commands print into it (review the diff).
readme: install
	$(BIN)/python tools/readme_examples.py --update

.PHONY: readme
