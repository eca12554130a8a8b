"""drop_block: remove a run of lines from a start marker to an end marker, or to the end.

Comment forms and trailers span several lines whose individual lines look harmless
("Name *", "Website"). Anchoring on a distinctive first line and bounding the block's
length (`max_lines`) removes them without risking an article: when the end is not
found within `max_lines`, or a to-the-end block would be longer than that, nothing is
dropped.
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
from cleaner.patterns import PatternError, compile_pattern, line_prefilter


@dataclass
class DropBlock:
    rule_id: str
    start: regex.Pattern[str]
    end: regex.Pattern[str] | None
    include_end: bool
    max_lines: int
    first_lines: int
    last_lines: int
    marks_repaired: bool = False
    context_sensitive: bool = True
    prefilter: regex.Pattern[str] | None = None

    def find(self, text: str, ctx: StepContext) -> list[Edit]:
        if not may_match(self.prefilter, text, ctx):
            return []
        spans = line_spans(text)
        candidates = in_scope_lines(text, spans, self.first_lines, self.last_lines)
        edits: list[Edit] = []
        next_free = 0
        for i in candidates:
            if i < next_free:
                continue
            s, e = spans[i]
            if search(self.start, text[s:e], ctx.timeout, self.rule_id) is None:
                continue
            last = self._block_end(text, spans, i, ctx)
            if last is None:
                continue
            start = spans[i][0]
            stop = spans[last][1]
            stop = stop + 1 if stop < len(text) else stop
            edits.append(Edit(self.rule_id, start, stop, text[start:stop], "", i + 1, whole_lines=True))
            next_free = last + 1
        return edits

    def _block_end(self, text: str, spans: list[tuple[int, int]], first: int, ctx: StepContext) -> int | None:
        """Index of the block's last line, or None when the block is not safely bounded.

        Length is counted in non-blank lines, so blank-line tidying never changes a verdict.
        """
        counted = 1
        for j in range(first + 1, len(spans)):
            s, e = spans[j]
            line = text[s:e]
            if not line.strip():
                continue
            counted += 1
            if counted > self.max_lines:
                return None
            if self.end is not None and search(self.end, line, ctx.timeout, self.rule_id) is not None:
                return j if self.include_end else j - 1
        return len(spans) - 1 if self.end is None else None


def build(rule: Rule, ctx: BuildContext) -> DropBlock:
    s = rule.settings
    if bool(s["end"]) == bool(s["to_end"]):
        raise PatternError("give exactly one of `end` (a pattern) or `to_end = true`")
    if s["max_lines"] < 1:
        raise PatternError("`max_lines` must be at least 1")
    end = compile_pattern(s["end"], ctx.lists) if s["end"] else None
    start = compile_pattern(s["start"], ctx.lists)
    return DropBlock(
        rule.id,
        start,
        end,
        s["include_end"],
        s["max_lines"],
        s["first_lines"],
        s["last_lines"],
        prefilter=line_prefilter(start),
    )


KIND = Kind(
    name="drop_block",
    doc="Drop the lines from a start-marker line to an end-marker line, or to the end of the text.",
    settings={
        "start": Setting("pattern", "Regex for the block's first line."),
        "end": Setting("pattern", "Regex for the block's last line (omit with to_end = true).", ""),
        "to_end": Setting("bool", "Drop from the start line to the end of the text.", False),
        "include_end": Setting("bool", "Drop the end-marker line too.", True),
        "max_lines": Setting("int", "Never drop a block longer than this many non-blank lines.", 40),
        **SCOPE_SETTINGS,
    },
    build=build,
)
