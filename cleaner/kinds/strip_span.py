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
    search,
)
from cleaner.match.lines import LineFilter, line_checks, lines_to_check
from cleaner.model import Edit
from cleaner.patterns import compile_pattern


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
    lines: LineFilter | None = None  # fast path: which lines can match at all

    @property
    def context_sensitive(self) -> bool:
        return bool(self.first_lines or self.last_lines)

    @property
    def line_local(self) -> bool:
        return not self.context_sensitive

    def find(self, text: str, ctx: StepContext) -> list[Edit]:
        candidates = lines_to_check(
            text, ctx, self.rule_id, self.lines, self.prefilter, self.first_lines, self.last_lines
        )
        edits = []
        for i, start, end in candidates:
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
    return span_rewrite(rule, ctx, pattern, None, unless)


def span_rewrite(
    rule: Rule,
    ctx: BuildContext,
    pattern: regex.Pattern[str],
    replacement: str | None,
    unless: regex.Pattern[str] | None,
) -> SpanRewrite:
    s = rule.settings
    prefilter, lines = line_checks(ctx, pattern, rule.id)
    return SpanRewrite(
        rule.id, pattern, replacement, unless, s["first_lines"], s["last_lines"], prefilter=prefilter, lines=lines
    )


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
