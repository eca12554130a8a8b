"""The Pipeline: compiled steps applied in order, each reporting its edits.

Deterministic and stateless between texts: the same text and rules always give the
same result, on any worker, in any order.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

from cleaner.kinds.base import Rule, Step, StepContext, text_lines
from cleaner.model import Edit, Result, splice
from cleaner.patterns import DEFAULT_TIMEOUT

MAX_PASSES = 4


@dataclass
class Pipeline:
    rules: Sequence[Rule]
    steps: Sequence[Step]
    timeout: float = DEFAULT_TIMEOUT
    fast: bool = False  # skip, in later passes, line-local steps that saw every line already

    def apply(self, text: str) -> Result:
        """Clean `text` (with `\\n` line ends). Raises RuleTimeout if a rule's regex stalls.

        Rules scoped to the first/last lines, and blocks bounded in length, see a new
        context once other rules remove lines. So when a pass removes a non-blank line
        and such rules exist, the pipeline runs again until a pass changes nothing
        (at most MAX_PASSES): cleaning its own output changes nothing more.
        """
        ctx = StepContext(timeout=self.timeout)
        edits: list[Edit] = []
        clean = _CleanLines(self._line_local) if self.fast else None
        for n in range(MAX_PASSES):
            text, found = self._pass(text, ctx, n * len(self.steps), clean)
            edits.extend(found)
            if not (self._context_sensitive and any(e.whole_lines and e.before.strip() for e in found)):
                break
        return Result(text, tuple(edits))

    @cached_property
    def _context_sensitive(self) -> bool:
        return any(step.context_sensitive for step in self.steps)

    @cached_property
    def _line_local(self) -> list[tuple[bool, bool]]:
        """Per step: (line-local, reads the repaired spans); see _CleanLines."""
        return [(getattr(s, "line_local", False), getattr(s, "reads_repaired", False)) for s in self.steps]

    def _pass(
        self, text: str, ctx: StepContext, first_step: int, clean: _CleanLines | None = None
    ) -> tuple[str, list[Edit]]:
        edits: list[Edit] = []
        for i, step in enumerate(self.steps):
            if clean is not None and first_step and clean.covers(i, text, ctx):
                continue
            found = step.find(text, ctx)
            if clean is not None:
                clean.saw(i, text, found, ctx)
            if not found:
                continue
            if first_step + i:
                n = first_step + i
                found = [Edit(e.rule_id, e.start, e.end, e.before, e.after, e.line, e.whole_lines, n) for e in found]
            ctx.repaired = shift_spans(ctx.repaired, found)
            if step.marks_repaired:
                ctx.repaired.extend(after_spans(found))
                ctx.repaired.sort()
            text = splice(text, found)
            edits.extend(found)
        return text, edits

    def __call__(self, text: str) -> str:
        return self.apply(text).text

    def rule(self, rule_id: str) -> Rule:
        for r in self.rules:
            if r.id == rule_id:
                return r
        raise KeyError(rule_id)

    def only(self, rule_id: str) -> Pipeline:
        """A pipeline of one rule, used to run that rule's examples."""
        for r, s in zip(self.rules, self.steps, strict=True):
            if r.id == rule_id:
                return Pipeline([r], [s], self.timeout, self.fast)
        raise KeyError(rule_id)


class _CleanLines:
    """Fast path for the passes after the first: which steps need not run again.

    A line-local step (`step.line_local`: its edits on a text are its edits on each line
    alone, a function of the line's content) that found nothing in a text found nothing
    in any of that text's lines. When a later pass hands it a text all of whose lines
    were among them, it would find nothing again, so it is skipped. A step that also
    reads the repaired spans (`step.reads_repaired`) counts only while there are none.
    """

    def __init__(self, local: list[tuple[bool, bool]]):
        self.local = local  # per step: (line-local, reads the repaired spans)
        self.seen: list[str | None] = [None] * len(local)  # per step: a text it found nothing in
        self._lines: dict[int, tuple[str, frozenset[str]]] = {}

    def _applies(self, i: int, ctx: StepContext) -> bool:
        line_local, reads_repaired = self.local[i]
        return line_local and not (reads_repaired and ctx.repaired)

    def saw(self, i: int, text: str, found: Sequence[Edit], ctx: StepContext) -> None:
        self.seen[i] = None if found or not self._applies(i, ctx) else text

    def covers(self, i: int, text: str, ctx: StepContext) -> bool:
        seen = self.seen[i]
        if seen is None or not self._applies(i, ctx):
            return False
        return seen is text or self.lines(text, ctx) <= self.lines(seen, ctx)

    def lines(self, text: str, ctx: StepContext) -> frozenset[str]:
        cached = self._lines.get(id(text))
        if cached is None or cached[0] is not text:
            cached = self._lines[id(text)] = (text, frozenset(text_lines(text, ctx)))
        return cached[1]


def after_spans(edits: Sequence[Edit]) -> list[tuple[int, int]]:
    """Where each edit's new text lands in the step's output."""
    spans = []
    delta = 0
    for e in edits:
        start = e.start + delta
        spans.append((start, start + len(e.after)))
        delta += len(e.after) - (e.end - e.start)
    return spans


def shift_spans(spans: list[tuple[int, int]], edits: Sequence[Edit]) -> list[tuple[int, int]]:
    """Carry spans through a step's edits; spans the edits touch are dropped."""
    if not spans:
        return spans
    out = []
    for s, e in spans:
        delta = 0
        keep = True
        for ed in edits:
            if ed.end <= s and not (ed.start == ed.end == s):
                delta += len(ed.after) - (ed.end - ed.start)
            elif ed.start < e:
                keep = False
                break
            else:
                break
        if keep:
            out.append((s + delta, e + delta))
    return out
