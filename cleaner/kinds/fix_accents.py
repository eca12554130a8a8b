"""fix_accents: strip stray diacritics from English words (`sepárate` → `separate`).

Scrapers and OCR leave accents where none belong. A word is fixed only when all of
these hold, so loanwords, names and other languages keep their accents:

- its line reads as English (see `cleaner.lang`);
- the accented form is essentially unknown in English (Zipf frequency below
  `max_accented_zipf`; `café`, `résumé`, `naïve`, `José`, `Zürich` are all known);
- the plain form is a common English word (Zipf at least `min_plain_zipf`);
- it is not the product of a mojibake repair earlier in the pipeline.

Frequencies come from the `wordfreq` package, which ships its data (no download).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import regex

from cleaner.kinds.base import BuildContext, Kind, Rule, Setting, StepContext
from cleaner.lang import looks_english
from cleaner.model import Edit

WORD = regex.compile(r"\p{L}+")
# Latin letters that carry a diacritic (Latin-1 Supplement, Latin Extended-A/B): a text
# without one has nothing to fix. Curly quotes and dashes are not in here. (A plain
# range of code points: the stdlib engine scans for it several times faster.)
ACCENTED_LATIN = re.compile(r"[\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f\u1e00-\u1eff]")


def strip_marks(word: str) -> str:
    decomposed = unicodedata.normalize("NFD", word)
    return unicodedata.normalize("NFC", "".join(c for c in decomposed if not unicodedata.combining(c)))


@lru_cache(maxsize=65536)
def zipf(word: str) -> float:
    import wordfreq

    return wordfreq.zipf_frequency(word, "en")


@dataclass
class FixAccents:
    rule_id: str
    max_accented_zipf: float
    min_plain_zipf: float
    marks_repaired: bool = False
    context_sensitive: bool = False
    line_local: bool = True  # each line on its own (language, words)...
    reads_repaired: bool = True  # ...and the repaired spans on it

    def find(self, text: str, ctx: StepContext) -> list[Edit]:
        """Walk only the lines holding an accented letter; judge a line's language only
        when one of its words would be fixed."""
        edits: list[Edit] = []
        if text.isascii():  # accented letters are not ASCII (a C-speed check)
            return edits
        repaired = _Spans(ctx.repaired)
        m = ACCENTED_LATIN.search(text)
        line_no, counted = 1, 0
        while m is not None:
            start = text.rfind("\n", 0, m.start()) + 1
            end = text.find("\n", m.end())
            end = len(text) if end == -1 else end
            line_no += text.count("\n", counted, start)
            counted = start
            line = text[start:end]
            english: bool | None = None
            for w in WORD.finditer(line):
                word = w.group()
                if word.isascii():
                    continue
                a, b = start + w.start(), start + w.end()
                if repaired.overlaps(a, b):
                    continue
                plain = strip_marks(word)
                if plain == word or not plain.isascii():
                    continue
                if zipf(word.lower()) < self.max_accented_zipf and zipf(plain.lower()) >= self.min_plain_zipf:
                    if english is None:
                        english = looks_english(line)
                    if english:
                        edits.append(Edit(self.rule_id, a, b, word, plain, line_no))
            m = ACCENTED_LATIN.search(text, end + 1)
        return edits


class _Spans:
    """Sorted spans asked, in increasing order, whether they overlap [a, b): one pointer
    walks them, so a long text with many repairs stays linear."""

    def __init__(self, spans: list[tuple[int, int]]):
        self.spans = spans
        self.i = 0

    def overlaps(self, a: int, b: int) -> bool:
        spans = self.spans
        while self.i < len(spans) and spans[self.i][1] <= a:
            self.i += 1
        j = self.i
        while j < len(spans) and spans[j][0] < b:
            if a < spans[j][1]:
                return True
            j += 1
        return False


def build(rule: Rule, ctx: BuildContext) -> FixAccents:
    s = rule.settings
    return FixAccents(rule.id, s["max_accented_zipf"], s["min_plain_zipf"])


KIND = Kind(
    name="fix_accents",
    doc="Strip stray diacritics from English words, judged with word frequencies.",
    settings={
        "max_accented_zipf": Setting("float", "The accented form must be rarer than this Zipf frequency.", 1.0),
        "min_plain_zipf": Setting("float", "The plain form must be at least this common (Zipf).", 3.0),
    },
    build=build,
)
