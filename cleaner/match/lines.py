"""Which lines a line rule looks at: its candidates from the match plan, or every line in scope.

Line rules (drop_line, strip_span, replace, drop_block's start) run their pattern on
one line at a time. On the fast path each holds a `LineFilter`: its slot in the
pipeline's `MatchPlan`. On the plain path (`CLEANER_FAST_PATH=0`, the oracle the fast
path is tested against) and for a slot the plan could not take, the rule looks at every
line in scope once its whole-text prefilter has matched.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

import regex

from cleaner.kinds.base import StepContext, in_scope_lines, line_spans, may_match
from cleaner.match.plan import Candidates, MatchPlan


@dataclass
class LineFilter:
    """A line rule's slot in the shared match plan."""

    plan: MatchPlan
    slot: int
    pattern: regex.Pattern[str]

    @cached_property
    def gate(self) -> regex.Pattern[str] | None:
        """The whole-text prefilter, for texts or patterns the plan cannot judge."""
        from cleaner.patterns import line_prefilter

        return line_prefilter(self.pattern)

    def lines(self, text: str, ctx: StepContext) -> Candidates | None:
        """The lines the rule may match, in order; None when any line may."""
        found = self.plan.candidates(text, ctx)
        mine = None if found is None else found[self.slot]
        if mine is None and not may_match(self.gate, text, ctx):
            return []
        return mine

    def none(self, text: str, ctx: StepContext) -> bool:
        """True when the scan shows the rule cannot match any line of `text` (the engine skips it)."""
        found = self.plan.candidates(text, ctx)
        return found is not None and found[self.slot] == []


def line_checks(
    ctx: Any, pattern: regex.Pattern[str], rule_id: str
) -> tuple[regex.Pattern[str] | None, LineFilter | None]:
    """(whole-text prefilter, line filter) for a line rule being built with BuildContext `ctx`:
    the prefilter on the plain path, a slot in the shared plan on the fast path."""
    from cleaner.patterns import line_prefilter

    if not ctx.fast or ctx.plan is None:
        return line_prefilter(pattern), None
    return None, LineFilter(ctx.plan, ctx.plan.add(pattern), pattern)


def lines_to_check(
    text: str,
    ctx: StepContext,
    rule_id: str,
    lines: LineFilter | None,
    prefilter: regex.Pattern[str] | None,
    first_lines: int,
    last_lines: int,
) -> Candidates:
    """(index, start, end) of the lines a line rule must run its pattern on, in order."""
    found: Candidates | None
    if lines is not None:
        found = lines.lines(text, ctx)
        if found == []:
            return found
    else:
        if not may_match(prefilter, text, ctx):
            return []
        found = None
    if found is None:
        return _all_in_scope(text, first_lines, last_lines)
    if first_lines or last_lines:
        scope = set(in_scope_lines(text, line_spans(text), first_lines, last_lines))
        found = [c for c in found if c[0] in scope]
    return found


def _all_in_scope(text: str, first_lines: int, last_lines: int) -> Candidates:
    spans = line_spans(text)
    return [(i, *spans[i]) for i in in_scope_lines(text, spans, first_lines, last_lines)]
