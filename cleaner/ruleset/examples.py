"""Running rules' own examples: each rule is applied alone to each example's input."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from cleaner.engine import Pipeline
from cleaner.kinds.base import Rule
from cleaner.visible import visible_diff


@dataclass(frozen=True)
class ExampleOutcome:
    rule: Rule
    number: int
    input: str
    expected: str
    actual: str

    @property
    def ok(self) -> bool:
        return self.actual == self.expected

    @property
    def name(self) -> str:
        return f"{self.rule.source}::{self.rule.id}::example-{self.number}"

    def diff(self) -> str:
        """What `cleaner rules check` and the pytest plugin show for a failing example."""
        return visible_diff(self.expected, self.actual, fromfile="expected", tofile="rule output")


def run_example(pipeline: Pipeline, rule: Rule, number: int) -> ExampleOutcome:
    """Run example `number` (1-based) of `rule`, with that rule alone."""
    ex = rule.examples[number - 1]
    expected = ex["input"] if ex.get("unchanged") else ex["output"]
    return ExampleOutcome(rule, number, ex["input"], expected, pipeline.only(rule.id)(ex["input"]))


def run_examples(pipeline: Pipeline) -> Iterator[ExampleOutcome]:
    for rule in pipeline.rules:
        for i in range(1, len(rule.examples) + 1):
            yield run_example(pipeline, rule, i)
