# Every target sets up what it needs from nothing: a fresh clone needs only `make run` or `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test test-slow golden schema lint format clean eval bench

BENCH_SIZE ?= full

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# The ray extra too: CI runs the Ray engine's tests (on a local 2-CPU cluster).
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test,ray]'
	touch $(STAMP)

run: $(STAMP)
	rm -rf out
	$(BIN)/cleaner run seeds -o out

test: $(STAMP)
	$(BIN)/python -m pytest

# The long fault loops and scale checks (kill -9 at many points, 20 MB documents); CI runs them too.
test-slow: $(STAMP)
	$(BIN)/python -m pytest -m slow --durations=5
	HYPOTHESIS_PROFILE=thorough $(BIN)/python -m pytest tests/test_properties.py

golden: $(STAMP)
	$(BIN)/cleaner test --update

schema: $(STAMP)
	$(BIN)/cleaner rules schema > schema/rule-file.schema.json

lint: $(STAMP)
	$(BIN)/ruff check cleaner tests eval bench
	$(BIN)/ruff format --check cleaner tests eval bench

format: $(STAMP)
	$(BIN)/ruff format cleaner tests eval bench
	$(BIN)/ruff check --fix cleaner tests eval bench

# Generates bench/data/$(BENCH_SIZE) if missing (gitignored), runs cleaner (1 and 2 workers),
# datatrove, the naive baseline and grep, then the per-component CPU table (default rules and
# +30 generated line rules), prints the tables and writes bench/results.md.
# BENCH_SIZE=small (~20 MB) for a quick run; full is ~250 MB (about 10 minutes on 2 cores).
# datatrove, the peer in the table, lives in its own environment (not a dependency of cleaner).
DT_VENV := bench/.venv-datatrove
$(DT_VENV)/.installed:
	$(PY) -m venv $(DT_VENV)
	$(DT_VENV)/bin/python -m pip install --quiet 'datatrove>=0.4' ftfy regex orjson nltk
	touch $@

bench: $(STAMP) $(DT_VENV)/.installed
	DATATROVE_PYTHON=$(DT_VENV)/bin/python $(BIN)/python bench/run.py --size $(BENCH_SIZE)

clean:
	rm -rf out .pytest_cache

# The real-web evaluation (not part of `make test`): trafilatura alone vs trafilatura + cleaner
# on ../shared/eval/trafilatura (990 pages). Reports go to eval/out/.
eval: $(STAMP)
	$(BIN)/python eval/score_trafilatura.py
