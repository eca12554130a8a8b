r"""Lines as token keys, and the templates a line may belong to.

A line is compared with other lines by its *key*: its tokens (runs of letters, runs
of digits, single other characters) with case folded, every digit run read as `0`,
curly apostrophes read as straight ones, and only *whether* whitespace stood before
each token. So `12 Comments`, `3 comments` and `3  comments` share one key, while
`Comments` and `Comment` do not.

A *template* is a key with one run of middle or final tokens left open (the gap):
a head of 1–3 tokens, then 1–`MAX_GAP` tokens of anything, then a tail of 0–3
tokens, whose fixed part spells out a form (`distinctive`). `Follow Jane Doe on X`
and `Follow Bob on X` share the template `follow … on x`. Templates are how lines that never recur exactly (each names a
different person, credit or date) are found to recur as a form.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import regex

TOKEN = regex.compile(r"\d+|[^\W\d_]+|\S")
APOSTROPHES = {"’": "'", "‘": "'"}  # a curly apostrophe is the same token as a straight one
MAX_CHARS = 300  # longer lines are prose (or a whole paragraph), not a recurring form
MAX_GAP = 6  # tokens a template may leave open
HEADS = (1, 2, 3)
WEAK_MARKS = frozenset("?.!…-–—•*·»>")  # bullets and sentence ends: they do not make a form
FUNCTION_ZIPF = 6.0
LANGUAGES = ("en", "de", "fr", "es", "pl", "it", "pt", "nl")
TAILS = (0, 1, 2, 3)

Token = tuple[str, bool]  # (normalised text, whitespace before it)
Key = tuple[Token, ...]


@dataclass(frozen=True, slots=True)
class Template:
    """`head` … `tail`; `gap_space`: whitespace stood before the gap. An exact key has gap None."""

    head: Key
    tail: Key = ()
    gap_space: bool | None = None

    @property
    def exact(self) -> bool:
        return self.gap_space is None

    @property
    def literal(self) -> Key:
        return self.head + self.tail


@dataclass(frozen=True, slots=True)
class Spans:
    """A line's tokens with their offsets in the (stripped) line, to cut out a template's gap."""

    key: Key
    starts: tuple[int, ...]
    ends: tuple[int, ...]


def tokenize(line: str) -> Spans:
    """The key of a stripped line, with each token's offsets."""
    key: list[Token] = []
    starts: list[int] = []
    ends: list[int] = []
    prev_end = 0
    for m in TOKEN.finditer(line):
        text = m.group()
        norm = "0" if text.isdigit() else APOSTROPHES.get(text, text.lower())
        key.append((norm, m.start() > prev_end))
        starts.append(m.start())
        ends.append(m.end())
        prev_end = m.end()
    return Spans(tuple(key), tuple(starts), tuple(ends))


def is_word(token: Token) -> bool:
    return token[0][0].isalpha()


def eligible(line: str) -> bool:
    """Worth counting: not blank, not a paragraph, and holding at least one letter."""
    return 0 < len(line) <= MAX_CHARS and any(c.isalpha() for c in line)


def templates(key: Key) -> list[Template]:
    """The exact template of `key`, then every head … tail template that spells out a form (`distinctive`)."""
    found = [Template(key)]
    n = len(key)
    for h in HEADS:
        for t in TAILS:
            gap = n - h - t
            if gap < 1 or gap > MAX_GAP:
                continue
            head, tail = key[:h], key[n - t :]
            if distinctive(head + tail):
                found.append(Template(head, tail, key[h][1]))
    return found


def distinctive(fixed: Key) -> bool:
    """Whether a template's fixed part names a form rather than any sentence's first word.

    `die …`, `the …`, `was …?` hold every heading of a language; `photo: …`, `follow … on
    twitter` do not. So the fixed part needs two tokens besides bullets and sentence ends,
    and one word that is not a function word in the languages the rules cover.
    """
    telling = [tok for tok in fixed if tok[0] not in WEAK_MARKS]
    return len(telling) >= 2 and any(is_word(tok) and not function_word(tok[0]) for tok in telling)


@lru_cache(maxsize=65536)
def function_word(word: str) -> bool:
    """A word as frequent as `the`, `die`, `und`, `more`, `how` in one of the covered languages
    (Zipf ≥ 6: once in every thousand words), by wordfreq's frequency lists (shipped, no download)."""
    from wordfreq import zipf_frequency

    return any(zipf_frequency(word, lang) >= FUNCTION_ZIPF for lang in LANGUAGES)


def literal_share(key: Key, template: Template) -> float:
    """How much of the line the template spells out (1.0 for its exact template)."""
    if template.exact:
        return 1.0
    total = sum(len(tok[0]) for tok in key)
    fixed = sum(len(tok[0]) for tok in template.literal)
    return fixed / max(1, total)


def gap_text(line: str, spans: Spans, template: Template) -> str:
    """The part of `line` a template leaves open."""
    first = len(template.head)
    last = len(spans.key) - len(template.tail) - 1
    return line[spans.starts[first] : spans.ends[last]]


def words(key: Key) -> list[str]:
    """The words of a key, in order, each once."""
    return list(dict.fromkeys(tok[0] for tok in key if is_word(tok)))
