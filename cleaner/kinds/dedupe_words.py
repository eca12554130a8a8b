"""dedupe_words: collapse an accidentally doubled function word (`the the` → `the`).

Only words from a list, only within one line, only in lines that read as English.
Words whose doubling is grammatical (`had had`, `that that`, `is is`, `her her`) and
particles that double in phrasal verbs (`log in in`, `turn on on`) stay out of the
default list.

Fast path: a doubled word is two equal runs of letters with only spaces or tabs
between them. Mapping every byte of the text to a lower-case ASCII letter or a space
(`bytes.translate`) and comparing neighbouring tokens tells, in C, that most texts hold
no doubled token at all; only the others run the pattern.
"""

from __future__ import annotations

import itertools
import operator
from dataclasses import dataclass

import regex

from cleaner.kinds.base import BuildContext, Kind, Rule, Setting, StepContext, finditer
from cleaner.lang import looks_english
from cleaner.match.translate import ASCII_CASE_ODDITIES
from cleaner.model import Edit
from cleaner.patterns import list_fragment

DEFAULT_WORDS = ["a", "an", "the", "of", "to", "and", "or", "for", "with", "from", "by", "into", "than", "its",
                 "their", "our", "your", "my", "at"]  # fmt: skip


# Every byte to itself if a lower-case ASCII letter, to its lower case if upper case,
# else to a space: tokens of the result are runs of ASCII letters.
_LETTERS = bytes(c if 97 <= c <= 122 else c + 32 if 65 <= c <= 90 else 32 for c in range(256))


def lines_with_doubled_word(text: str, words: frozenset[bytes]) -> list[tuple[int, int]]:
    """(start, end) of the lines that may hold a doubled word (see `may_hold_doubled_word`)."""
    if not may_hold_doubled_word(text, words):
        return []
    spans = []
    pos = 0
    for line in text.split("\n"):
        if may_hold_doubled_word(line, words):
            spans.append((pos, pos + len(line)))
        pos += len(line) + 1
    return spans


def may_hold_doubled_word(text: str, words: frozenset[bytes]) -> bool:
    """False only if no two neighbouring runs of ASCII letters (with anything but ASCII
    letters between them) are equal ignoring case and one of `words` (lower case).

    The pattern needs the same word twice with spaces or tabs between, after no letter
    or digit and before none, so each copy is a whole run of letters: a text for which
    this says False has no match. Texts holding a non-ASCII character that matches an
    ASCII letter case-insensitively are always looked at.
    """
    if any(ch in text for ch in ASCII_CASE_ODDITIES):
        return True
    tokens = text.encode("utf-8", "surrogatepass").translate(_LETTERS).split()
    doubled = itertools.compress(tokens, map(operator.eq, tokens, itertools.islice(tokens, 1, None)))
    return not words.isdisjoint(doubled)


@dataclass
class DedupeWords:
    rule_id: str
    pattern: regex.Pattern[str]
    english_only: bool
    marks_repaired: bool = False
    context_sensitive: bool = False
    line_local: bool = True  # matches never cross a newline; English is judged per line
    precheck: frozenset[bytes] | None = None  # fast path: the words, when all are ASCII letters

    def find(self, text: str, ctx: StepContext) -> list[Edit]:
        # The pattern cannot cross a newline ([ \t] between the words), so one pass over
        # the whole text finds exactly the per-line matches; the fast path searches only
        # the lines that hold a doubled word.
        if self.precheck is None:
            matches = finditer(self.pattern, text, ctx.timeout, self.rule_id)
        else:
            matches = [
                m
                for start, end in lines_with_doubled_word(text, self.precheck)
                for m in finditer(self.pattern, text, ctx.timeout, self.rule_id, start, end)
            ]
        edits: list[Edit] = []
        verdicts: dict[int, bool] = {}
        line, counted = 1, 0  # line numbers counted incrementally: linear in the text
        for m in matches:
            start = text.rfind("\n", 0, m.start()) + 1
            if self.english_only:
                if start not in verdicts:
                    end = text.find("\n", m.end())
                    verdicts[start] = looks_english(text[start : end if end != -1 else len(text)])
                if not verdicts[start]:
                    continue
            line += text.count("\n", counted, m.start())
            counted = m.start()
            edits.append(Edit(self.rule_id, m.start(), m.end(), m.group(), m.group(1), line))
        return edits


def build(rule: Rule, ctx: BuildContext) -> DedupeWords:
    words = rule.settings["words"]
    # The first copy is kept, so "The the" keeps its capital.
    pattern = regex.compile(
        rf"(?i)(?<![\p{{L}}\p{{N}}'’-])({list_fragment(words)})((?:[ \t]+\1)+)(?![\p{{L}}\p{{N}}'’-])"
    )
    precheck = None
    if ctx.fast and all(w.isascii() and w.isalpha() for w in words):
        precheck = frozenset(w.lower().encode("ascii") for w in words)
    return DedupeWords(rule.id, pattern, rule.settings["english_only"], precheck=precheck)


KIND = Kind(
    name="dedupe_words",
    doc="Remove the second of two identical adjacent words from a list of function words.",
    settings={
        "words": Setting("words", "Words whose doubling is always a typo.", DEFAULT_WORDS),
        "english_only": Setting("bool", "Only act on lines that read as English.", True),
    },
    build=build,
)
