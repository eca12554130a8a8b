"""A case fold that agrees with the `regex` module's case-insensitive matching.

The literal pre-check (`cleaner.literals`) looks for the rules' required words in a
lower-cased copy of the text with one Aho-Corasick scan, far faster than a regex
search per rule. That is exact only if two characters `regex` treats as the same letter under
IGNORECASE always fold to the same character here. `str.lower()` almost does this; the
exceptions are the characters below (Turkish dotless i, long s, Greek symbol variants,
old Cyrillic forms...), which `fold` maps to the common lower-case letter of their
class first. Every character folds to exactly one character, so offsets in the folded
text are offsets in the original.

`derive_exceptions()` recomputes the table from `regex` itself; a test compares the
two, so an upgrade of `regex` or of Python's Unicode tables cannot silently break it.
"""

from __future__ import annotations

from collections import Counter

import regex

# character -> the lower-case letter of its regex IGNORECASE class, where str.lower() differs
EXCEPTIONS: dict[str, str] = {
    "\u00b5": "\u03bc",  # µ -> μ
    "\u0130": "\u0069",  # İ -> i
    "\u0131": "\u0069",  # ı -> i
    "\u017f": "\u0073",  # ſ -> s
    "\u0345": "\u03b9",  # ͅ -> ι
    "\u03c2": "\u03c3",  # ς -> σ
    "\u03d0": "\u03b2",  # ϐ -> β
    "\u03d1": "\u03b8",  # ϑ -> θ
    "\u03d5": "\u03c6",  # ϕ -> φ
    "\u03d6": "\u03c0",  # ϖ -> π
    "\u03f0": "\u03ba",  # ϰ -> κ
    "\u03f1": "\u03c1",  # ϱ -> ρ
    "\u03f5": "\u03b5",  # ϵ -> ε
    "\u1c80": "\u0432",  # ᲀ -> в
    "\u1c81": "\u0434",  # ᲁ -> д
    "\u1c82": "\u043e",  # ᲂ -> о
    "\u1c83": "\u0441",  # ᲃ -> с
    "\u1c84": "\u0442",  # ᲄ -> т
    "\u1c85": "\u0442",  # ᲅ -> т
    "\u1c86": "\u044a",  # ᲆ -> ъ
    "\u1c87": "\u0463",  # ᲇ -> ѣ
    "\u1c88": "\ua64b",  # ᲈ -> ꙋ
    "\u1e9b": "\u1e61",  # ẛ -> ṡ
    "\u1fbe": "\u03b9",  # ι -> ι
    "\u1fd3": "\u0390",  # ΐ -> ΐ
    "\u1fe3": "\u03b0",  # ΰ -> ΰ
    "\ufb06": "\ufb05",  # ﬆ -> ﬅ
    "\U0001df95": "\u00df",  # 𝾕 -> ß
}
_TABLE = str.maketrans(EXCEPTIONS)


def fold(text: str) -> str:
    """`text` lower-cased so that regex-IGNORECASE-equal characters become equal; same length."""
    if text.isascii():
        return text.lower()
    if any(c in text for c in EXCEPTIONS):  # a few fast scans; a regex class search is 10x slower
        text = text.translate(_TABLE)
    return text.lower()


def derive_exceptions() -> dict[str, str]:
    """The EXCEPTIONS table, computed from `regex`'s own case-insensitive matching (about 3 s).

    Characters fall into classes that regex IGNORECASE treats as one letter (closed under
    `str.lower()`); wherever members of a class lower-case differently, each member maps
    to the class's most common lower-case form.
    """
    chars = [chr(i) for i in range(0x110000) if not 0xD800 <= i < 0xE000]
    cased = [c for c in chars if c.lower() != c or c.upper() != c or c.casefold() != c]
    any_cased = regex.compile("(?i)[" + "".join(regex.escape(c, special_only=False) for c in cased) + "]")
    cased += sorted(set(any_cased.findall("".join(chars))) - set(cased))  # Unicode versions differ
    everything = "".join(cased)
    parent: dict[str, str] = {}

    def root(c: str) -> str:
        while parent.get(c, c) != c:
            c = parent[c]
        return c

    def join(a: str, b: str) -> None:
        a, b = root(a), root(b)
        if a != b:
            parent[max(a, b)] = min(a, b)

    for c in cased:
        for same in regex.findall("(?i)" + regex.escape(c), everything):
            join(c, same)
        if len(c.lower()) == 1:
            join(c, c.lower())
    classes: dict[str, list[str]] = {}
    for c in cased:
        classes.setdefault(root(c), []).append(c)
    table: dict[str, str] = {}
    for members in classes.values():
        if len({c.lower() for c in members}) > 1:
            lows = Counter(c.lower() for c in members if len(c.lower()) == 1)
            common = max(lows, key=lambda x: (lows[x], x.isascii(), -ord(x)))
            table.update({c: common for c in members if c.lower() != common})
    return table
