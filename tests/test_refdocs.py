"""The docs site's reference pages are generated from the code and rule files (cleaner/refdocs.py):
the committed pages must be what the code generates now, as the schema test does for the schema."""

from __future__ import annotations

import pytest

from cleaner import load_rules
from cleaner.kinds import KINDS
from cleaner.refdocs import default_rules_page, generate, kinds_page

from .conftest import ROOT

REFERENCE = ROOT / "docs" / "reference"


PAGES = generate()  # once: each page renders every command's --help or loads every rule


@pytest.mark.parametrize("name", sorted(PAGES))
def test_generated_reference_pages_are_current(name):
    page = REFERENCE / name
    assert page.exists(), f"{page} is missing: run `cleaner rules docs` (or `make docs`)"
    assert page.read_text(encoding="utf-8") == PAGES[name], (
        f"{page} is out of date: run `cleaner rules docs` (or `make docs`) and commit the result"
    )


def test_every_kind_setting_and_default_rule_is_documented():
    kinds = kinds_page()
    for name, kind in KINDS.items():
        assert f"## `{name}`" in kinds
        for key in kind.settings:
            assert f"| `{key}` |" in kinds
    rules = load_rules(unsafe=True).rules
    catalogue = default_rules_page()
    positions = [catalogue.index(f"| `{r.id}`") for r in rules]
    assert positions == sorted(positions)  # in the order they run


def test_pages_follow_the_declarations(monkeypatch):
    """A changed kind declaration changes the page (nothing is copied by hand)."""
    from dataclasses import replace

    kind = KINDS["dedupe_words"]
    monkeypatch.setitem(KINDS, "dedupe_words", replace(kind, doc="A changed description of the kind."))
    assert "A changed description of the kind." in kinds_page()


def test_cli_reference_keeps_brackets_and_every_command():
    from cleaner.refdocs import cli_page

    page = cli_page()
    for command in ("cleaner run", "cleaner explain", "cleaner test", "cleaner rules check", "cleaner rules docs"):
        assert f"## `{command}`" in page
    assert "scrape-cleaner[ray]" in page and "[tool.cleaner]" in page
