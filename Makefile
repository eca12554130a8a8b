# Every target sets up what it needs from nothing: a fresh clone needs only `make run` or `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Two stamps: `make run` installs only what running needs (no Ray, no pytest);
# the test, lint and docs targets add the test, ray and docs extras to the same venv.
RUN_STAMP := $(VENV)/.installed-run
STAMP := $(VENV)/.installed-test

.PHONY: run test test-slow golden schema docs lint format clean eval bench bench-dedup

BENCH_SIZE ?= full

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(RUN_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $(RUN_STAMP)

# The ray extra too: CI runs the Ray engine's tests (on a local 2-CPU cluster).
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test,ray,docs]'
	touch $(STAMP) $(RUN_STAMP)

run: $(RUN_STAMP)
	rm -rf out
	$(BIN)/cleaner run seeds -o out

# The docs build is part of the test: a broken link or an unlisted page fails it (--strict).
test: $(STAMP)
	$(BIN)/python -m pytest
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict

# Regenerates docs/reference/ (CLI, rule kinds, default rules) from the code, then builds the site into site/.
docs: $(STAMP)
	$(BIN)/cleaner rules docs --out docs/reference
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict

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

# cleaner dedup against datasketch's and rensa's MinHashLSH on a generated corpus with planted
# near-duplicates (bench/dedup_bench.py): precision/recall, docs per CPU second, peak memory;
# writes bench/dedup_results-$(DEDUP_SIZE).md. DEDUP_SIZE=small (6,900 docs), medium (34,500), full (200,000).
DEDUP_SIZE ?= medium

$(VENV)/.bench-installed: pyproject.toml | $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[test,ray,bench]'
	touch $@

bench-dedup: $(VENV)/.bench-installed
	$(BIN)/python bench/dedup_bench.py --size $(DEDUP_SIZE)

clean:
	rm -rf out site .pytest_cache

# The real-web evaluation (not part of `make test`): trafilatura alone vs trafilatura + cleaner
# on ../shared/eval/trafilatura: 990 annotated pages of trafilatura's own evaluation (its SOURCE.md
# names the upstream repository and commit; the script prints it). Reports go to eval/out/.
eval: $(STAMP)
	$(BIN)/python eval/score_trafilatura.py
