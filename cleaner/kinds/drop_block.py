"""drop_block: remove a run of lines from a start marker to an end marker, or to the end.

Comment forms and trailers span several lines whose individual lines look harmless
("Name *", "Website"). Anchoring on a distinctive first line and bounding the block's
length (`max_lines`) removes them without risking an article: when the end is not
found within `max_lines`, or a to-the-end block would be longer than that, nothing is
dropped. `max_line_chars` bounds the block's lines too: a list of linked headlines is
a run of short lines, and a paragraph inside the block means it is not such a list.
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
    line_spans,
    search,
)
from cleaner.match.lines import LineFilter, line_checks, lines_to_check
from cleaner.model import Edit
from cleaner.patterns import PatternError, compile_pattern


@dataclass
class DropBlock:
    rule_id: str
    start: regex.Pattern[str]
    end: regex.Pattern[str] | None
    include_end: bool
    max_lines: int
    first_lines: int
    last_lines: int
    max_line_chars: int = 0
    marks_repaired: bool = False
    context_sensitive: bool = True
    prefilter: regex.Pattern[str] | None = None
    lines: LineFilter | None = None  # fast path: which lines can start a block at all

    def find(self, text: str, ctx: StepContext) -> list[Edit]:
        candidates = lines_to_check(
            text, ctx, self.rule_id, self.lines, self.prefilter, self.first_lines, self.last_lines
        )
        edits: list[Edit] = []
        spans: list[tuple[int, int]] = []
        next_free = 0
        for i, s, e in candidates:
            if i < next_free:
                continue
            if search(self.start, text[s:e], ctx.timeout, self.rule_id) is None:
                continue
            spans = spans or line_spans(text)
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
            too_long = bool(self.max_line_chars) and len(line.strip()) > self.max_line_chars
            if self.end is not None and search(self.end, line, ctx.timeout, self.rule_id) is not None:
                if too_long and self.include_end:
                    return None
                return j if self.include_end else j - 1
            if too_long:
                return None
        return len(spans) - 1 if self.end is None else None


def build(rule: Rule, ctx: BuildContext) -> DropBlock:
    s = rule.settings
    if bool(s["end"]) == bool(s["to_end"]):
        raise PatternError("give exactly one of `end` (a pattern) or `to_end = true`")
    if s["max_lines"] < 1:
        raise PatternError("`max_lines` must be at least 1")
    end = compile_pattern(s["end"], ctx.lists) if s["end"] else None
    start = compile_pattern(s["start"], ctx.lists)
    prefilter, lines = line_checks(ctx, start, rule.id)
    return DropBlock(
        rule.id,
        start,
        end,
        s["include_end"],
        s["max_lines"],
        s["first_lines"],
        s["last_lines"],
        s["max_line_chars"],
        prefilter=prefilter,
        lines=lines,
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
        "max_line_chars": Setting("int", "Never drop a block with a line longer than this (0 = no limit).", 0),
        **SCOPE_SETTINGS,
    },
    build=build,
)
