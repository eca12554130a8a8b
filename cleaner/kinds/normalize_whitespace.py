"""normalize_whitespace: tidy what the other rules leave behind.

Strips trailing whitespace, collapses runs of blank lines to one, drops leading and
trailing blank lines and ends the text with exactly one newline (an empty text stays
empty). Indentation and non-breaking spaces inside a line are content and are kept;
a blank line is never inserted.

Fast path: a text that is already tidy (a few substring tests and a look at the last
character of each line tell) gets no edits without a look at each line; the others are walked line by
line with string methods, calling the trailing-space regex only on lines that end in
a space character.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass

import regex

from cleaner.kinds.base import BuildContext, Kind, Rule, StepContext, line_spans, text_lines
from cleaner.model import Edit

TRAILING = regex.compile(r"[^\S\n]+$")
# White space of either kind a line may end with: `regex`'s \s (what TRAILING strips)
# and str.isspace() (what makes a line blank), the newline aside. All are below U+3001
# (tests/test_fastpath.py checks).
SPACE_CHARS = frozenset(
    c for c in map(chr, range(0x3001)) if c != "\n" and (c.isspace() or TRAILING.match(c) is not None)
)


def is_tidy(text: str, lines: list[str] | None = None) -> bool:
    """True only if normalizing `text` changes nothing (it may say False for a tidy text).

    Tidy: it ends with one newline after a line that does not end in white space, does
    not start with white space or a newline, has no line ending in white space (so every
    blank line is empty) and no two empty lines in a row.
    """
    if not text.endswith("\n") or text.endswith("\n\n") or text[0] in SPACE_CHARS or text[0] == "\n":
        return False
    if "\n\n\n" in text:
        return False
    last_chars = map(operator.itemgetter(-1), filter(None, text.split("\n") if lines is None else lines))
    return SPACE_CHARS.isdisjoint(last_chars)


@dataclass
class NormalizeWhitespace:
    rule_id: str
    marks_repaired: bool = False
    context_sensitive: bool = False
    fast: bool = False

    def find(self, text: str, ctx: StepContext) -> list[Edit]:
        if not self.fast:
            return self._find_plain(text)
        lines = text_lines(text, ctx)
        if is_tidy(text, lines):
            return []
        return self._find_lines(text, lines)

    def _find_plain(self, text: str) -> list[Edit]:
        spans = line_spans(text)
        blank = [not text[s:e].strip() for s, e in spans]
        content = [i for i, b in enumerate(blank) if not b]
        first, last = (content[0], content[-1]) if content else (len(spans), -1)
        found: list[list] = []  # [start, end, after, line, whole_lines]; Edits are made once, at the end
        add = self._collector(found)

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
        return self._edits(text, found)

    def _find_lines(self, text: str, lines: list[str]) -> list[Edit]:
        """The same edits as `_find_plain`, from the lines as strings (`text_lines`)."""
        starts = []
        pos = 0
        for line in lines:
            starts.append(pos)
            pos += len(line) + 1
        blank = [not line or line.isspace() for line in lines]
        content = [i for i, b in enumerate(blank) if not b]
        first, last = (content[0], content[-1]) if content else (len(lines), -1)
        found: list[list] = []
        add = self._collector(found)
        for i, line in enumerate(lines):
            s = starts[i]
            if i < first or i > last or (blank[i] and blank[i - 1]):
                e = s + len(line)
                add(s, e + 1 if e < len(text) else e, "", i + 1, whole_lines=True)
            elif line and line[-1] in SPACE_CHARS:
                m = TRAILING.search(line)
                if m:
                    add(s + m.start(), s + m.end(), "", i + 1)
        if content and starts[last] + len(lines[last]) == len(text):
            add(len(text), len(text), "\n", last + 1)
        return self._edits(text, found)

    @staticmethod
    def _collector(found: list[list]):  # type: ignore[no-untyped-def]
        def add(start: int, end: int, after: str, line: int, whole_lines: bool = False) -> None:
            # Merge touching whole-line drops (a run of blank lines is one edit). Only the
            # end moves, so a long run costs no repeated slicing.
            if whole_lines and found and found[-1][4] and found[-1][1] == start:
                found[-1][1] = end
            else:
                found.append([start, end, after, line, whole_lines])

        return add

    def _edits(self, text: str, found: list[list]) -> list[Edit]:
        return [Edit(self.rule_id, a, b, text[a:b], after, line, whole) for a, b, after, line, whole in found]


def build(rule: Rule, ctx: BuildContext) -> NormalizeWhitespace:
    return NormalizeWhitespace(rule.id, fast=ctx.fast)


KIND = Kind(
    name="normalize_whitespace",
    doc="Strip trailing whitespace, collapse blank-line runs, end with exactly one newline.",
    settings={},
    build=build,
)
