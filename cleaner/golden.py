"""The golden-file runner: clean each case's input and compare with its expected file.

A mismatch is shown as a unified diff with invisible characters made visible, each
changed line annotated with the rule that removed or produced it (or the fact that no
rule touched it), so a rule author sees exactly what a change did.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from cleaner.config import GoldenSuite
from cleaner.engine import Pipeline
from cleaner.io.decode import decode_bytes
from cleaner.io.files import walk, write_atomic
from cleaner.model import Result
from cleaner.visible import visible_diff


@dataclass(frozen=True)
class GoldenCase:
    name: str
    input: Path
    expected: Path


@dataclass(frozen=True)
class CaseOutcome:
    case: GoldenCase
    result: Result
    expected: str | None  # None: no golden file yet

    @property
    def ok(self) -> bool:
        return self.expected == self.result.text

    def diff(self) -> str:
        if self.expected is None:
            return f"{self.case.name}: no golden file at {self.case.expected}\n"
        return visible_diff(
            self.expected,
            self.result.text,
            fromfile=str(self.case.expected),
            tofile=f"{self.case.input} (cleaned now)",
            note=lambda sign, line: blame(self.result, sign, line),
        )


def discover(suites: Iterable[GoldenSuite]) -> tuple[list[GoldenCase], list[Path]]:
    """All cases, plus golden files whose input no longer exists (stale)."""
    cases: list[GoldenCase] = []
    stale: list[Path] = []
    for suite in suites:
        wanted = set()
        for src in walk(suite.inputs):
            rel = src.relative_to(suite.inputs)
            target = suite.expected / rel
            wanted.add(target)
            cases.append(GoldenCase(f"{suite.inputs.name}/{rel.as_posix()}", src, target))
        if suite.expected.is_dir():
            stale.extend(p for p in walk(suite.expected) if p not in wanted)
    return cases, stale


def run_case(case: GoldenCase, pipeline: Pipeline) -> CaseOutcome:
    text = decode_bytes(case.input.read_bytes()).text
    expected = case.expected.read_text(encoding="utf-8") if case.expected.exists() else None
    return CaseOutcome(case, pipeline.apply(text), expected)


def update(outcome: CaseOutcome) -> None:
    write_atomic(outcome.case.expected, outcome.result.text.encode("utf-8"))


def blame(result: Result, sign: str, line: str) -> str:
    """Which rules explain a line that differs from the golden."""
    content = line.strip()
    if not content:
        return ""
    if sign == "-":
        rules = [e.rule_id for e in result.edits if content in e.before and content not in e.after]
        return f"removed by {', '.join(dict.fromkeys(rules))}" if rules else "not in output"
    rules = [e.rule_id for e in result.edits if e.after.strip() and e.after.strip() in content]
    return f"changed by {', '.join(dict.fromkeys(rules))}" if rules else "no rule touched this line"
