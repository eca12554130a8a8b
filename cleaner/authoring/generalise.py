r"""A family's lines to one anchored pattern: literal where they agree, a bounded class where they vary.

The pattern undoes exactly the normalisation that grouped the lines (`lines.py`):
case is ignored (`(?i:…)`), each digit run is `\d+`, whitespace between tokens is
`\s+` (any amount, NBSP included), an apostrophe is `['’]`, and the whole line is
anchored `^\s*…\s*$`. A template's open gap becomes the narrowest class that holds
every observed filler, bounded in length so that it cannot run over a sentence:

- one word of letters each time: `[\p{L}\p{M}]{1,n}`
- one token of anything else each time: `\S{1,n}`
- several words: `\S(?:.{0,n}\S)?`

with `n` twice the longest filler seen (at least 20, at most 120): room for unseen
names and credits of the same form, not for a paragraph. Nothing here is nested or
unbounded, so the patterns pass the backtracking probes of `cleaner rules check`.
"""

from __future__ import annotations

import regex

from cleaner.authoring.lines import Key, Template, Token

LETTERS = regex.compile(r"[\p{L}\p{M}]+")
MIN_BOUND, MAX_BOUND = 20, 120


def token_regex(token: Token) -> str:
    text = token[0]
    if text == "0":
        return r"\d+"
    if text == "'":
        return "['’]"
    if text[0].isalpha():
        return text  # letters need no escaping, and (?i:…) restores their case
    return regex.escape(text, special_only=True)


def key_regex(key: Key) -> str:
    """Tokens in order; `\\s+` where whitespace stood (never before the first)."""
    parts = []
    for i, token in enumerate(key):
        if i and token[1]:
            parts.append(r"\s+")
        parts.append(token_regex(token))
    return "".join(parts)


def gap_regex(fillers: list[str]) -> str:
    """The narrowest bounded class that matches every filler."""
    bound = min(MAX_BOUND, max(MIN_BOUND, 2 * max(len(f) for f in fillers)))
    if all(LETTERS.fullmatch(f) for f in fillers):
        return rf"[\p{{L}}\p{{M}}]{{1,{bound}}}"
    if not any(c.isspace() for f in fillers for c in f):
        return rf"\S{{1,{bound}}}"
    return rf"\S(?:.{{0,{bound}}}\S)?"


def family_pattern(template: Template, fillers: list[str]) -> str:
    """The anchored pattern of a family: its template, its gap (if any) generalised over `fillers`."""
    if template.exact:
        body = key_regex(template.head)
    else:
        body = key_regex(template.head) + (r"\s+" if template.gap_space else "") + gap_regex(fillers)
        if template.tail:
            body += (r"\s+" if template.tail[0][1] else "") + key_regex(template.tail)
    return rf"^\s*(?i:{body})\s*$"


def shape(template: Template) -> str:
    """The template as a reader sees it: `follow … on x`."""

    def spell(key: Key) -> str:
        return "".join((" " if i and tok[1] else "") + tok[0] for i, tok in enumerate(key))

    if template.exact:
        return spell(template.head)
    gap = (" " if template.gap_space else "") + "…"
    tail = ((" " if template.tail[0][1] else "") + spell(template.tail)) if template.tail else ""
    return spell(template.head) + gap + tail
