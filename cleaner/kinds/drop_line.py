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
    search,
)
from cleaner.match.lines import LineFilter, line_checks, lines_to_check
from cleaner.model import Edit
from cleaner.patterns import compile_pattern


@dataclass
class DropLine:
    rule_id: str
    pattern: regex.Pattern[str]
    unless: regex.Pattern[str] | None
    first_lines: int
    last_lines: int
    marks_repaired: bool = False
    prefilter: regex.Pattern[str] | None = None
    lines: LineFilter | None = None  # fast path: which lines can match at all

    @property
    def context_sensitive(self) -> bool:
        return bool(self.first_lines or self.last_lines)

    @property
    def line_local(self) -> bool:
        return not self.context_sensitive

    def matches(self, line: str, timeout: float) -> bool:
        if search(self.pattern, line, timeout, self.rule_id) is None:
            return False
        return self.unless is None or search(self.unless, line, timeout, self.rule_id) is None

    def find(self, text: str, ctx: StepContext) -> list[Edit]:
        candidates = lines_to_check(
            text, ctx, self.rule_id, self.lines, self.prefilter, self.first_lines, self.last_lines
        )
        edits = []
        for i, start, end in candidates:
            if self.matches(text[start:end], ctx.timeout):
                stop = end + 1 if end < len(text) else end
                edits.append(Edit(self.rule_id, start, stop, text[start:stop], "", i + 1, whole_lines=True))
        return edits


def build(rule: Rule, ctx: BuildContext) -> DropLine:
    s = rule.settings
    unless = compile_pattern(s["unless"], ctx.lists) if s["unless"] else None
    pattern = compile_pattern(s["pattern"], ctx.lists)
    prefilter, lines = line_checks(ctx, pattern, rule.id)
    return DropLine(rule.id, pattern, unless, s["first_lines"], s["last_lines"], prefilter=prefilter, lines=lines)


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
