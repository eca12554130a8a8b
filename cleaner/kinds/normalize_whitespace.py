"""normalize_whitespace: tidy what the other rules leave behind.

Strips trailing whitespace, collapses runs of blank lines to one, drops leading and
trailing blank lines and ends the text with exactly one newline (an empty text stays
empty). Indentation and non-breaking spaces inside a line are content and are kept;
a blank line is never inserted.
"""

from __future__ import annotations

from dataclasses import dataclass

import regex

from cleaner.kinds.base import BuildContext, Kind, Rule, StepContext, line_spans
from cleaner.model import Edit

TRAILING = regex.compile(r"[^\S\n]+$")


@dataclass
class NormalizeWhitespace:
    rule_id: str
    marks_repaired: bool = False
    context_sensitive: bool = False

    def find(self, text: str, ctx: StepContext) -> list[Edit]:
        spans = line_spans(text)
        blank = [not text[s:e].strip() for s, e in spans]
        content = [i for i, b in enumerate(blank) if not b]
        first, last = (content[0], content[-1]) if content else (len(spans), -1)
        found: list[list] = []  # [start, end, after, line, whole_lines]; Edits are made once, at the end

        def add(start: int, end: int, after: str, line: int, whole_lines: bool = False) -> None:
            # Merge touching whole-line drops (a run of blank lines is one edit). Only the
            # end moves, so a long run costs no repeated slicing.
            if whole_lines and found and found[-1][4] and found[-1][1] == start:
                found[-1][1] = end
            else:
                found.append([start, end, after, line, whole_lines])

        for i, (s, e) in enumerate(spans):
            if i < first or i > last or (blank[i] and blank[i - 1]):
                add(s, e + 1 if e < len(text) else e, "", i + 1, whole_lines=True)
            else:
                m = TRAILING.search(text, s, e)
                if m:
                    add(m.start(), m.end(), "", i + 1)
        if content:
            end_of_last = spans[last][1]
            if end_of_last == len(text):
                add(len(text), len(text), "\n", last + 1)
        return [Edit(self.rule_id, a, b, text[a:b], after, line, whole) for a, b, after, line, whole in found]


def build(rule: Rule, ctx: BuildContext) -> NormalizeWhitespace:
    return NormalizeWhitespace(rule.id)


KIND = Kind(
    name="normalize_whitespace",
    doc="Strip trailing whitespace, collapse blank-line runs, end with exactly one newline.",
    settings={},
    build=build,
)
