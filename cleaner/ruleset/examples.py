"""Running rules' own examples: each rule is applied alone to each example's input."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from cleaner.engine import Pipeline
from cleaner.kinds.base import Rule


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


def run_examples(pipeline: Pipeline) -> Iterator[ExampleOutcome]:
    for rule in pipeline.rules:
        alone = pipeline.only(rule.id)
        for i, ex in enumerate(rule.examples, 1):
            expected = ex["input"] if ex.get("unchanged") else ex["output"]
            yield ExampleOutcome(rule, i, ex["input"], expected, alone(ex["input"]))
