"""Each golden case is its own test item; a mismatch shows the visible-whitespace diff."""

from __future__ import annotations

import pytest

from cleaner.config import load_config
from cleaner.golden import discover, run_case

from .conftest import ROOT

CONFIG = load_config(ROOT)
CASES, STALE = discover(CONFIG.golden)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_golden(case, pipeline):
    outcome = run_case(case, pipeline)
    assert outcome.expected is not None, f"no golden for {case.input}: run `cleaner test --update` and read it"
    assert outcome.ok, "\n" + outcome.diff()


def test_no_stale_goldens():
    assert not STALE, f"golden files without an input: {STALE}"


def test_seed_cases_are_all_covered():
    names = {c.name for c in CASES}
    seeds = sorted(p.name for p in (ROOT / "seeds").iterdir())
    assert len(seeds) == 5
    assert {f"seeds/{s}" for s in seeds} <= names
