"""The Guarantees page (docs/guarantees.md) cites tests; every one it cites must exist."""

from __future__ import annotations

import ast
import re

from .conftest import ROOT


def cited_tests() -> list[tuple[str, str]]:
    section = (ROOT / "docs" / "guarantees.md").read_text("utf-8")
    cited = []
    for cell in re.findall(r"\| ([^|]*`tests/[^|]*)\|\n", section):
        current = None
        for path, name in re.findall(r"`(tests/[\w/]+\.py)?::(\w+)`", cell):
            current = path or current
            cited.append((current, name))
    return cited


def test_every_test_the_guarantees_cite_exists():
    cited = cited_tests()
    assert len(cited) > 40
    for path, name in cited:
        tree = ast.parse((ROOT / path).read_text("utf-8"))
        names = {n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)}
        assert name in names, f"docs/guarantees.md cites {path}::{name}, which does not exist"
