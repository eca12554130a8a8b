"""Make invisible characters visible in diffs and explanations (syrupy/insta style)."""

from __future__ import annotations

import difflib
from collections.abc import Callable

import regex

MARKS = {
    "\u00a0": "⟨NBSP⟩",
    "\u200b": "⟨ZWSP⟩",
    "\u200c": "⟨ZWNJ⟩",
    "\u200d": "⟨ZWJ⟩",
    "\u2060": "⟨WJ⟩",
    "\u00ad": "⟨SHY⟩",
    "\ufeff": "⟨BOM⟩",
    "\ufffd": "⟨U+FFFD⟩",
    "\t": "→",
    "\r": "␍",
}
OTHER_INVISIBLE = regex.compile(r"[\p{Cc}\p{Cf}\p{Z}--[ \n]]", regex.V1)
TRAILING_SPACES = regex.compile(r" +$")


def show(s: str, *, trailing: bool = True) -> str:
    """One line (no newline) with invisible characters named and trailing spaces as ·.

    `trailing=False` leaves spaces at the end alone, for a piece cut from inside a line.
    """
    if trailing:
        s = TRAILING_SPACES.sub(lambda m: "·" * len(m.group()), s)
    out = []
    for ch in s:
        if ch in MARKS:
            out.append(MARKS[ch])
        elif OTHER_INVISIBLE.match(ch):
            out.append(f"⟨U+{ord(ch):04X}⟩")
        else:
            out.append(ch)
    return "".join(out)


def show_text(s: str) -> str:
    """A short snippet with newlines shown as ␤, for one-line reports."""
    return "␤".join(show(part) for part in s.split("\n"))


def visible_diff(
    expected: str,
    actual: str,
    *,
    fromfile: str = "expected",
    tofile: str = "actual",
    note: Callable[[str, str], str] | None = None,
) -> str:
    """A unified diff of two texts whose changed lines show invisible characters.

    `note(sign, line)` may return a short annotation (e.g. the rule behind a line).
    """
    a = _lines(expected)
    b = _lines(actual)
    lines = [f"--- {fromfile}", f"+++ {tofile}"]
    for group in difflib.SequenceMatcher(None, a, b, autojunk=False).get_grouped_opcodes(2):
        first, last = group[0], group[-1]
        lines.append(f"@@ -{first[1] + 1},{last[2] - first[1]} +{first[3] + 1},{last[4] - first[3]} @@")
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                lines.extend(" " + show(x) for x in a[i1:i2])
                continue
            for sign, seq in (("-", a[i1:i2]), ("+", b[j1:j2])):
                for x in seq:
                    extra = note(sign, x) if note else ""
                    lines.append(f"{sign}{show(x)}" + (f"    ⟵ {extra}" if extra else ""))
    if expected.endswith("\n") != actual.endswith("\n"):
        which = "expected" if not expected.endswith("\n") else "actual"
        lines.append(f"\\ No newline at end of {which}")
    return "\n".join(lines) + "\n"


def _lines(s: str) -> list[str]:
    if not s:
        return []
    return (s[:-1] if s.endswith("\n") else s).split("\n")
