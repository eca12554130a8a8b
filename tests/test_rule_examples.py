"""Every default rule's examples, each its own test item: rules/x.toml::rule.id::example-N."""

from __future__ import annotations

from pathlib import Path

import pytest

from cleaner import load_rules
from cleaner.ruleset.examples import run_examples
from cleaner.visible import visible_diff

ROOT = Path(__file__).resolve().parent.parent
OUTCOMES = list(run_examples(load_rules()))


def _id(outcome) -> str:
    source = Path(outcome.rule.source)
    if source.is_relative_to(ROOT):
        source = source.relative_to(ROOT)
    return f"{source.as_posix()}::{outcome.rule.id}::example-{outcome.number}"


@pytest.mark.parametrize("outcome", OUTCOMES, ids=_id)
def test_rule_example(outcome):
    assert outcome.ok, "\n" + visible_diff(outcome.expected, outcome.actual, fromfile="expected", tofile="rule output")


def test_every_rule_has_positive_and_negative_examples():
    for rule in load_rules().rules:
        assert any("output" in ex for ex in rule.examples), rule.id
        assert any(ex.get("unchanged") for ex in rule.examples), rule.id
