r"""drop_line: remove whole lines that match a pattern (promo lines, ad markers, credits).

The pattern is matched against each line on its own (without the newline), so `\s`
cannot reach into the next line and `^`/`$` mean the line's start and end.
"""

from __future__ import annotations

from dataclasses import dataclass

import regex

from cleaner.kinds.base import (
    SCOPE_SETTINGS,
    BuildContext,
    Kind,
    Rule,
    Setting,
    StepContext,
    in_scope_lines,
    line_spans,
    may_match,
    search,
)
from cleaner.model import Edit
from cleaner.patterns import compile_pattern, line_prefilter


@dataclass
class DropLine:
    rule_id: str
    pattern: regex.Pattern[str]
    unless: regex.Pattern[str] | None
    first_lines: int
    last_lines: int
    marks_repaired: bool = False
    prefilter: regex.Pattern[str] | None = None

    @property
    def context_sensitive(self) -> bool:
        return bool(self.first_lines or self.last_lines)

    def matches(self, line: str, timeout: float) -> bool:
        if search(self.pattern, line, timeout, self.rule_id) is None:
            return False
        return self.unless is None or search(self.unless, line, timeout, self.rule_id) is None

    def find(self, text: str, ctx: StepContext) -> list[Edit]:
        if not may_match(self.prefilter, text, ctx):
            return []
        spans = line_spans(text)
        edits = []
        for i in in_scope_lines(text, spans, self.first_lines, self.last_lines):
            start, end = spans[i]
            if self.matches(text[start:end], ctx.timeout):
                stop = end + 1 if end < len(text) else end
                edits.append(Edit(self.rule_id, start, stop, text[start:stop], "", i + 1, whole_lines=True))
        return edits


def build(rule: Rule, ctx: BuildContext) -> DropLine:
    s = rule.settings
    unless = compile_pattern(s["unless"], ctx.lists) if s["unless"] else None
    pattern = compile_pattern(s["pattern"], ctx.lists)
    return DropLine(rule.id, pattern, unless, s["first_lines"], s["last_lines"], prefilter=line_prefilter(pattern))


KIND = Kind(
    name="drop_line",
    doc="Drop every line the pattern matches (the line and its newline).",
    settings={
        "pattern": Setting("pattern", "Regex matched against each line on its own."),
        "unless": Setting("pattern", "Keep the line anyway if this regex also matches it.", ""),
        **SCOPE_SETTINGS,
    },
    build=build,
)
