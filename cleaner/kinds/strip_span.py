"""strip_span: cut the matched part out of a line and keep the rest (inline credits, prefixes)."""

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
    finditer,
    in_scope_lines,
    line_spans,
    may_match,
    search,
)
from cleaner.model import Edit
from cleaner.patterns import compile_pattern, line_prefilter


@dataclass
class SpanRewrite:
    """Rewrites each match inside a line; `replacement` None means remove it."""

    rule_id: str
    pattern: regex.Pattern[str]
    replacement: str | None
    unless: regex.Pattern[str] | None
    first_lines: int
    last_lines: int
    marks_repaired: bool = False
    prefilter: regex.Pattern[str] | None = None

    @property
    def context_sensitive(self) -> bool:
        return bool(self.first_lines or self.last_lines)

    def find(self, text: str, ctx: StepContext) -> list[Edit]:
        if not may_match(self.prefilter, text, ctx):
            return []
        spans = line_spans(text)
        edits = []
        for i in in_scope_lines(text, spans, self.first_lines, self.last_lines):
            start, end = spans[i]
            line = text[start:end]
            matches = finditer(self.pattern, line, ctx.timeout, self.rule_id)
            if not matches:
                continue
            if self.unless is not None and search(self.unless, line, ctx.timeout, self.rule_id):
                continue
            for m in matches:
                if m.start() == m.end():
                    continue
                after = "" if self.replacement is None else m.expand(self.replacement)
                if after != m.group():
                    edits.append(Edit(self.rule_id, start + m.start(), start + m.end(), m.group(), after, i + 1))
        return edits


def build(rule: Rule, ctx: BuildContext) -> SpanRewrite:
    s = rule.settings
    unless = compile_pattern(s["unless"], ctx.lists) if s["unless"] else None
    pattern = compile_pattern(s["pattern"], ctx.lists)
    return SpanRewrite(rule.id, pattern, None, unless, s["first_lines"], s["last_lines"], line_prefilter(pattern))


SETTINGS = {
    "pattern": Setting("pattern", "Regex matched inside each line; every match is rewritten."),
    "unless": Setting("pattern", "Leave the line alone if this regex matches it.", ""),
    **SCOPE_SETTINGS,
}

KIND = Kind(
    name="strip_span",
    doc="Remove the matched span from each line, keeping the rest of the line.",
    settings=SETTINGS,
    build=build,
)
