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

from dataclasses import dataclass

import regex

from cleaner.kinds.base import BuildContext, Kind, Rule, Setting, StepContext, finditer
from cleaner.lang import looks_english
from cleaner.match.lines import LineFilter
from cleaner.model import Edit
from cleaner.patterns import list_fragment

DEFAULT_WORDS = ["a", "an", "the", "of", "to", "and", "or", "for", "with", "from", "by", "into", "than", "its",
                 "their", "our", "your", "my", "at"]  # fmt: skip


@dataclass
class DedupeWords:
    rule_id: str
    pattern: regex.Pattern[str]
    english_only: bool
    marks_repaired: bool = False
    context_sensitive: bool = False
    line_local: bool = True  # matches never cross a newline; English is judged per line
    lines: LineFilter | None = None  # fast path: its slot in the match plan (lines holding a doubled word)

    def find(self, text: str, ctx: StepContext) -> list[Edit]:
        # The pattern cannot cross a newline ([ \t] between the words), so one pass over
        # the whole text finds exactly the per-line matches; the fast path searches only
        # the lines where the match plan's scan found a word doubled.
        candidates = self.lines.lines(text, ctx) if self.lines is not None else None
        if candidates is None:
            matches = finditer(self.pattern, text, ctx.timeout, self.rule_id)
        else:
            matches = [
                m
                for _, start, end in candidates
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
    lines = None
    if ctx.fast and ctx.plan is not None:
        # For the scan: each word twice, without the back-reference (a superset of the pattern's matches).
        doubled = "|".join(rf"{regex.escape(w)}(?:[ \t]+{regex.escape(w)})" for w in sorted(set(words)))
        shape = regex.compile(rf"(?i)(?:^|[^\p{{L}}\p{{N}}'’-])(?:{doubled})(?:[^\p{{L}}\p{{N}}'’-]|$)")
        lines = LineFilter(ctx.plan, ctx.plan.add(shape), shape)
    return DedupeWords(rule.id, pattern, rule.settings["english_only"], lines=lines)


KIND = Kind(
    name="dedupe_words",
    doc="Remove the second of two identical adjacent words from a list of function words.",
    settings={
        "words": Setting("words", "Words whose doubling is always a typo.", DEFAULT_WORDS),
        "english_only": Setting("bool", "Only act on lines that read as English.", True),
    },
    build=build,
)
