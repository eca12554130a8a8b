"""The records every way into cleaner shares: documents in, results and edits out.

Steps report *edits* rather than new text, and the engine derives the text from the
edits. That keeps `explain`, golden diffs, statistics and edit logs honest: they all
read the same records that produced the output.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Edit:
    """One change made by one rule.

    `start`/`end` are offsets into the text *as that rule saw it* (after the rules
    before it ran), and `line` is the 1-based line of `start` in that same text.
    Replaying the edits of a result in order with `replay` reproduces its text.
    `step` numbers the rule applications of one run (a rule may run in several passes).
    """

    rule_id: str
    start: int
    end: int
    before: str
    after: str
    line: int
    whole_lines: bool = False  # the edit removes whole lines (drop rules, blank-line runs)
    step: int = 0  # which rule application made it; edits of one application share offsets

    @property
    def lines_removed(self) -> int:
        if self.whole_lines:
            return len(self.before.splitlines())
        return self.before.count("\n") - self.after.count("\n")

    @property
    def chars_removed(self) -> int:
        return len(self.before) - len(self.after)

    def as_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule_id,
            "line": self.line,
            "start": self.start,
            "end": self.end,
            "before": self.before,
            "after": self.after,
        }


@dataclass(frozen=True, slots=True)
class Document:
    """A text to clean plus where it came from; `meta` passes through untouched."""

    id: str
    text: str
    meta: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Result:
    text: str
    edits: tuple[Edit, ...] = ()

    @property
    def changed(self) -> bool:
        return bool(self.edits)

    def rule_ids(self) -> list[str]:
        """Rules that changed this text, in the order they ran."""
        return list(dict.fromkeys(e.rule_id for e in self.edits))


def origin_lines(original: str, edits: Sequence[Edit]) -> list[int]:
    """For each edit, the 1-based line of the *original* text where it applies.

    Edits carry positions in the text each rule saw; this maps them back through the
    edits of the rules that ran before, for reports that cite the input file's lines.
    """
    groups = group_by_step(edits)
    lines = []
    for gi, group in enumerate(groups):
        for e in group:
            pos = e.start
            for prev in reversed(groups[:gi]):
                pos = _before_step(prev, pos)
            lines.append(original.count("\n", 0, pos) + 1)
    return lines


def _before_step(step_edits: list[Edit], pos: int) -> int:
    delta = 0
    for e in step_edits:
        out_start = e.start + delta
        out_end = out_start + len(e.after)
        # a deletion that ends where `pos` is lies before it (the character at `pos` followed
        # the deleted text); only an empty edit exactly at `pos` is ambiguous, and kept there
        if out_end <= pos and not (out_start == out_end == pos and e.start == e.end):
            delta += len(e.after) - (e.end - e.start)
        elif out_start <= pos:
            return e.start
        else:
            break
    return pos - delta


def splice(text: str, edits: Iterable[Edit]) -> str:
    """Apply one step's edits (sorted, non-overlapping, offsets into `text`)."""
    parts: list[str] = []
    pos = 0
    for e in edits:
        parts.append(text[pos : e.start])
        parts.append(e.after)
        pos = e.end
    parts.append(text[pos:])
    return "".join(parts)


def group_by_step(edits: Iterable[Edit]) -> list[list[Edit]]:
    groups: list[list[Edit]] = []
    for e in edits:
        if groups and groups[-1][0].step == e.step:
            groups[-1].append(e)
        else:
            groups.append([e])
    return groups


def replay(text: str, edits: Iterable[Edit]) -> str:
    """Re-apply a result's edits to its input, step by step (ftfy's `apply_plan`)."""
    for batch in group_by_step(edits):
        text = splice(text, batch)
    return text
