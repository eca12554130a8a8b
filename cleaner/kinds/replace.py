"""replace: rewrite the matched span inside a line with a template (`\\1`, `\\g<name>`)."""

from __future__ import annotations

from cleaner.kinds.base import BuildContext, Kind, Rule, Setting
from cleaner.kinds.strip_span import SETTINGS, SpanRewrite, span_rewrite
from cleaner.patterns import compile_pattern


def build(rule: Rule, ctx: BuildContext) -> SpanRewrite:
    s = rule.settings
    unless = compile_pattern(s["unless"], ctx.lists) if s["unless"] else None
    pattern = compile_pattern(s["pattern"], ctx.lists)
    return span_rewrite(rule, ctx, pattern, s["replacement"], unless)


KIND = Kind(
    name="replace",
    doc="Replace the matched span in each line with a template.",
    settings={
        **SETTINGS,
        "replacement": Setting("str", "Template for the new text; \\1 or \\g<name> insert groups."),
    },
    build=build,
)
