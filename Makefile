# Every target sets up what it needs from nothing: a fresh clone needs only `make run` or `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test test-slow golden lint format clean

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

# The long fault loops and scale checks (kill -9 at many points, 20 MB documents); CI runs them too.
test-slow: $(STAMP)
	$(BIN)/python -m pytest -m slow --durations=5

golden: $(STAMP)
	$(BIN)/cleaner test --update

lint: $(STAMP)
	$(BIN)/ruff check cleaner tests
	$(BIN)/ruff format --check cleaner tests

format: $(STAMP)
	$(BIN)/ruff format cleaner tests
	$(BIN)/ruff check --fix cleaner tests

clean:
	rm -rf out .pytest_cache
