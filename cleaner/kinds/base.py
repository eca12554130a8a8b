"""What every rule kind shares: its declared settings, and the Step it compiles to.

A kind is data (`Kind`): a name, a docstring and typed `Setting`s. The loader
validates a rule's TOML table against those settings, so unknown keys, wrong types
and missing settings are caught before anything runs, and the schema of rule files
can be generated from the same declarations.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

import regex

from cleaner.model import Edit

REQUIRED: Any = object()


@dataclass(frozen=True)
class Setting:
    """One key a kind accepts. `type` is one of: str, pattern, int, float, bool, words.

    `choices`, when given, lists the only values a str setting may take. The loader,
    `cleaner rules show` and the JSON Schema (`cleaner rules schema`) all read these
    declarations, so the documented format cannot drift from what is accepted.
    """

    type: str
    doc: str
    default: Any = REQUIRED
    choices: tuple[str, ...] = ()

    @property
    def required(self) -> bool:
        return self.default is REQUIRED


@dataclass
class StepContext:
    """Per-text state the engine passes to each step.

    `budget` is the time one rule may spend on this text, in seconds; the engine calls
    `start()` before each rule, and `timeout` is what is left of the budget, to pass to
    every regex call (so however many lines a rule looks at, it stops in bounded time).
    `repaired` holds spans (in the current text) that an encoding repair produced,
    so later steps can leave them alone. `memo` lets steps share work on one text
    (keyed by the sharer; the value records the text object it was computed for).
    """

    budget: float
    repaired: list[tuple[int, int]] = field(default_factory=list)
    memo: dict[Any, Any] = field(default_factory=dict)
    deadline: float = math.inf

    def start(self) -> None:
        self.deadline = time.monotonic() + self.budget

    @property
    def timeout(self) -> float:
        """Seconds left for the current rule. Once spent, 0, which `regex` answers with an
        immediate TimeoutError (a negative timeout would mean no limit at all)."""
        if self.deadline == math.inf:
            return self.budget
        return max(self.deadline - time.monotonic(), 0.0)


class Step(Protocol):
    """A compiled rule. By convention a step keeps each compiled `pattern`-type setting
    as an attribute of the same name (`pattern`, `unless`, `start`, `end`), which is how
    near-miss explain finds the regexes of a rule."""

    rule_id: str
    marks_repaired: bool  # its edits' results are repairs later rules should spare
    context_sensitive: bool  # whether it fires can depend on other lines (scopes, blocks)
    # optional `line_local: bool`: its edits on a text are those on each line alone, a
    # function of the line's content only (lets the engine skip it on lines it has seen)

    def find(self, text: str, ctx: StepContext) -> list[Edit]:
        """Sorted, non-overlapping edits with offsets into `text`."""
        ...


@dataclass(frozen=True)
class Rule:
    """A validated rule: its declared fields plus the kind-specific settings."""

    id: str
    kind: str
    description: str
    settings: Mapping[str, Any]
    examples: tuple[Mapping[str, Any], ...]
    source: str
    line: int | None
    safe: bool = True


@dataclass(frozen=True)
class BuildContext:
    lists: Mapping[str, str]
    timeout: float
    fast: bool = True  # build the fast paths (exact pre-checks); False gives the plain reference path
    plan: Any = None  # the MatchPlan shared by the line rules of the pipeline being built (fast path)


@dataclass(frozen=True)
class Kind:
    name: str
    doc: str
    settings: Mapping[str, Setting]
    build: Callable[[Rule, BuildContext], Step]


def line_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each line's content, end excluding the newline."""
    spans = []
    pos = 0
    n = len(text)
    while pos < n:
        nl = text.find("\n", pos)
        if nl == -1:
            spans.append((pos, n))
            break
        spans.append((pos, nl))
        pos = nl + 1
    return spans


_LINES = object()  # key of the shared line list in StepContext.memo


def text_lines(text: str, ctx: StepContext) -> list[str]:
    """The lines of `text` (as `line_spans` cuts them), split once per text and shared
    by the steps that look at it, in every pass (do not modify the list)."""
    known = ctx.memo.get(_LINES)
    if known is None:
        known = ctx.memo[_LINES] = {}
    cached = known.get(id(text))
    if cached is not None and cached[0] is text:
        return cached[1]
    lines = text.split("\n")
    if lines[-1] == "":  # no line after a final newline
        lines.pop()
    known[id(text)] = (text, lines)
    return lines


def line_number(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def search(pattern: regex.Pattern[str], s: str, timeout: float, rule_id: str) -> regex.Match[str] | None:
    from cleaner.errors import RuleTimeout

    try:
        return pattern.search(s, timeout=timeout)
    except TimeoutError:
        raise RuleTimeout(rule_id, timeout) from None


def finditer(
    pattern: regex.Pattern[str], s: str, timeout: float, rule_id: str, pos: int = 0, endpos: int | None = None
) -> list[regex.Match[str]]:
    from cleaner.errors import RuleTimeout

    try:
        return list(pattern.finditer(s, pos, len(s) if endpos is None else endpos, timeout=timeout))
    except TimeoutError:
        raise RuleTimeout(rule_id, timeout) from None


# A prefilter only saves work, so it gets a small time allowance: 10 ms plus 0.1 s per
# million characters (a linear scan needs far less). Some patterns go quadratic on the
# whole text where they are linear per line (`^\s*x` in MULTILINE mode over a run of
# blank lines retries from every line start); past the allowance the rule just looks
# at each line, which gives the same edits.
PREFILTER_BASE = 0.01
PREFILTER_PER_CHAR = 1e-7


def may_match(prefilter: regex.Pattern[str] | None, text: str, ctx: StepContext) -> bool:
    """False only when the whole-text prefilter proves no line can match; True if it gives up."""
    if prefilter is None:
        return True
    allowance = min(ctx.timeout, PREFILTER_BASE + PREFILTER_PER_CHAR * len(text))
    try:
        return prefilter.search(text, timeout=allowance) is not None
    except TimeoutError:
        return True


SCOPE_SETTINGS: Mapping[str, Setting] = {
    "first_lines": Setting("int", "Only consider the first N non-blank lines of the text (0 = no limit).", 0),
    "last_lines": Setting("int", "Only consider the last N non-blank lines of the text (0 = no limit).", 0),
}


def in_scope_lines(text: str, spans: list[tuple[int, int]], first: int, last: int) -> list[int]:
    """Indexes of lines a scoped rule may look at; counts skip blank lines."""
    nonblank = [i for i, (s, e) in enumerate(spans) if text[s:e].strip()]
    if not first and not last:
        return list(range(len(spans)))
    chosen: set[int] = set()
    if first:
        chosen.update(nonblank[:first])
    if last:
        chosen.update(nonblank[-last:])
    return sorted(chosen)
