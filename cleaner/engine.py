"""The Pipeline: compiled steps applied in order, each reporting its edits.

Deterministic and stateless between texts: the same text and rules always give the
same result, on any worker, in any order.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from cleaner.errors import RuleTimeout
from cleaner.extract import ExtractSettings
from cleaner.kinds.base import Rule, Step, StepContext, text_lines
from cleaner.model import Edit, Result, splice
from cleaner.patterns import DEFAULT_TIMEOUT

MAX_PASSES = 4
# The time budget of one rule on one text is `timeout` seconds per this many characters
# (and at least `timeout`): a sane pattern is linear, so a huge document gets time in
# proportion, while a catastrophic one still trips within the budget.
BUDGET_CHARS = 1_000_000


@dataclass(frozen=True)
class RuleSpec:
    """What a Pipeline was compiled from: the rule files' texts by layer, and its options.

    Small, hashable and plain to serialize. A Pipeline travels to other processes (Ray
    workers, `datasets.map` workers) as its spec and is compiled there once per process.
    """

    sources: tuple[tuple[tuple[str, str], ...], ...]  # layers of (path, text)
    timeout: float = DEFAULT_TIMEOUT
    fast: bool = True
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    unsafe: bool = False

    def build(self) -> Pipeline:
        """The compiled Pipeline, built once per process and then reused."""
        pipeline = _COMPILED.get(self)
        if pipeline is None:
            from cleaner.ruleset.loader import compile_sources
            from cleaner.ruleset.select import select_rules

            pipeline = compile_sources(self.sources, self.timeout, self.fast)
            pipeline = _COMPILED[self] = select_rules(pipeline, self.select, self.ignore, unsafe=self.unsafe)
        return pipeline


_COMPILED: dict[RuleSpec, Pipeline] = {}


def register(pipeline: Pipeline) -> Pipeline:
    """Remember a freshly compiled pipeline, so unpickling its spec here reuses it."""
    if pipeline.spec is not None:
        _COMPILED.setdefault(pipeline.spec, pipeline)
    return pipeline


@dataclass
class Pipeline:
    rules: Sequence[Rule]
    steps: Sequence[Step]
    timeout: float = DEFAULT_TIMEOUT
    extract: ExtractSettings = field(default_factory=ExtractSettings)  # how HTML inputs become text
    fast: bool = False  # skip, in later passes, line-local steps that saw every line already
    spec: RuleSpec | None = field(default=None, repr=False, compare=False)

    def __reduce_ex__(self, protocol: Any) -> Any:
        """Serialize as the rule texts, not as compiled regexes: loading compiles (once per process)."""
        if self.spec is None:
            return super().__reduce_ex__(protocol)
        return (RuleSpec.build, (self.spec,))

    def apply(self, text: str) -> Result:
        """Clean `text` (with `\\n` line ends). Raises RuleTimeout if a rule exceeds its time budget.

        Rules scoped to the first/last lines, and blocks bounded in length, see a new
        context once other rules remove lines. So when a pass removes a non-blank line
        and such rules exist, the pipeline runs again until a pass changes nothing
        (at most MAX_PASSES): cleaning its own output changes nothing more.
        """
        ctx = StepContext(budget=self.budget(text))
        edits: list[Edit] = []
        clean = _CleanLines(self._line_local) if self.fast else None
        for n in range(MAX_PASSES):
            text, found = self._pass(text, ctx, n * len(self.steps), clean)
            edits.extend(found)
            if not (self._context_sensitive and any(e.whole_lines and e.before.strip() for e in found)):
                break
        return Result(text, tuple(edits))

    def budget(self, text: str) -> float:
        """Seconds one rule may spend on `text` (all its regex calls together)."""
        return self.timeout * max(1.0, len(text) / BUDGET_CHARS)

    @cached_property
    def _context_sensitive(self) -> bool:
        return any(step.context_sensitive for step in self.steps)

    @cached_property
    def _filters(self) -> list[Any]:
        """Per step: its slot in the match plan (a `LineFilter`), or None (see cleaner.match)."""
        return [getattr(s, "lines", None) for s in self.steps]

    @cached_property
    def _line_local(self) -> list[tuple[bool, bool]]:
        """Per step: (line-local, reads the repaired spans); see _CleanLines."""
        return [(getattr(s, "line_local", False), getattr(s, "reads_repaired", False)) for s in self.steps]

    def _pass(
        self, text: str, ctx: StepContext, first_step: int, clean: _CleanLines | None = None
    ) -> tuple[str, list[Edit]]:
        edits: list[Edit] = []
        filters = self._filters
        planned: Any = None  # the match plan's candidates for `scanned`
        scanned = None
        for i, step in enumerate(self.steps):
            line_filter = filters[i]
            if line_filter is not None:  # skip a line rule when the scan found no line it can match
                if scanned is not text:
                    planned, scanned = line_filter.plan.candidates(text, ctx), text
                if planned is not None and planned[line_filter.slot] == []:
                    if clean is not None:
                        clean.saw(i, text, (), ctx)
                    continue
            if clean is not None and first_step and clean.covers(i, text, ctx):
                continue
            ctx.start()
            try:
                found = step.find(text, ctx)
            except RuleTimeout:
                raise RuleTimeout(step.rule_id, ctx.budget) from None
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

    def as_batch_fn(self, text_field: str = "text", error_field: str | None = None) -> Any:
        """This pipeline as a picklable batch callable (Ray Data, datasets, datatrove): see `CleanBatch`."""
        from cleaner.batch import CleanBatch

        return CleanBatch(pipeline=self, text_field=text_field, error_field=error_field)

    def rule(self, rule_id: str) -> Rule:
        for r in self.rules:
            if r.id == rule_id:
                return r
        raise KeyError(rule_id)

    def only(self, rule_id: str) -> Pipeline:
        """A pipeline of one rule, used to run that rule's examples."""
        for r, s in zip(self.rules, self.steps, strict=True):
            if r.id == rule_id:
                return Pipeline([r], [s], self.timeout, self.extract, self.fast)
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
    """Carry spans through a step's edits; spans the edits touch are dropped.

    Both lists are sorted, so one merge-like walk does it (linear, not spans x edits:
    a long text with many repairs and many dropped lines must not go quadratic).
    """
    if not spans:
        return spans
    out = []
    j = 0  # edits[:j] lie wholly before the current span
    delta = 0  # how much those edits moved later text
    n = len(edits)
    for s, e in spans:
        while j < n and edits[j].end <= s and not (edits[j].start == edits[j].end == s):
            delta += len(edits[j].after) - (edits[j].end - edits[j].start)
            j += 1
        if j < n and edits[j].start < e:
            continue  # an edit touches this span
        out.append((s + delta, e + delta))
    return out
