# Every target sets up what it needs from nothing: a fresh clone needs only `make run` or `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test golden lint format clean bench

BENCH_SIZE ?= full

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	rm -rf out
	$(BIN)/cleaner run seeds -o out

test: $(STAMP)
	$(BIN)/python -m pytest

golden: $(STAMP)
	$(BIN)/cleaner test --update

lint: $(STAMP)
	$(BIN)/ruff check cleaner tests bench
	$(BIN)/ruff format --check cleaner tests bench

format: $(STAMP)
	$(BIN)/ruff format cleaner tests bench
	$(BIN)/ruff check --fix cleaner tests bench

# Generates bench/data/$(BENCH_SIZE) if missing (gitignored), runs cleaner (1 and 2 workers),
# the naive baseline and grep, prints the table and writes bench/results.md.
# BENCH_SIZE=small (~20 MB) for a quick run; full is ~250 MB (about 10 minutes on 2 cores).
bench: $(STAMP)
	$(BIN)/python bench/run.py --size $(BENCH_SIZE)

clean:
	rm -rf out .pytest_cache
