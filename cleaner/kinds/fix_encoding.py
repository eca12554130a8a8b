"""fix_encoding: repair mojibake with ftfy, cautiously.

Defaults fix what is surely broken (`donâ€™t`, `cafÃ©`, doubly encoded text, C1
controls, lone surrogates) and keep what may be intended: curly quotes, ligatures,
full-width characters and the text's Unicode normal form. Text that is already right
passes through byte-identical.

ftfy fixes text line by line anyway; we call it only on lines holding a character
outside printable ASCII, since mojibake cannot exist without one. Each repaired word
becomes its own edit, and its result is marked `repaired` so later rules (fix_accents)
leave it alone.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any

import regex

from cleaner.kinds.base import BuildContext, Kind, Rule, Setting, StepContext, line_spans
from cleaner.model import Edit

NEEDS_LOOK = regex.compile(r"[^\t\x20-\x7e]")

FTFY_SETTINGS: dict[str, Setting] = {
    "fix_encoding": Setting("bool", "Undo mojibake (text decoded with the wrong codec).", True),
    "restore_byte_a0": Setting("bool", "Allow a space to stand for a lost 0xA0 byte while repairing.", True),
    "replace_lossy_sequences": Setting("bool", "Replace unrecoverable mojibake sequences with U+FFFD.", True),
    "decode_inconsistent_utf8": Setting("bool", "Repair UTF-8 mojibake mixed into otherwise fine text.", True),
    "fix_c1_controls": Setting(
        "bool", "Turn stray C1 control characters into the Windows-1252 characters meant.", True
    ),
    "remove_terminal_escapes": Setting("bool", "Remove ANSI terminal escape sequences.", True),
    "fix_surrogates": Setting("bool", "Join or replace UTF-16 surrogate code points.", True),
    "remove_control_chars": Setting("bool", "Remove control characters that have no place in text.", True),
    "unescape_html": Setting("bool", "Decode HTML entities such as &amp; (off: may be intended text).", False),
    "fix_latin_ligatures": Setting("bool", "Expand ligatures such as ﬁ (off: valid Unicode).", False),
    "fix_character_width": Setting("bool", "Replace full-width Latin letters (off: valid in CJK text).", False),
    "uncurl_quotes": Setting("bool", "Replace curly quotes with straight ones (off: they are correct).", False),
    "normalization": Setting(
        "str", "Unicode normal form to apply: '', NFC, NFKC, NFD or NFKD ('' keeps the original).", ""
    ),
}


@dataclass
class FixEncoding:
    rule_id: str
    config: Any
    marks_repaired: bool = True
    context_sensitive: bool = False

    def find(self, text: str, ctx: StepContext) -> list[Edit]:
        import ftfy

        edits: list[Edit] = []
        for i, (start, end) in enumerate(line_spans(text)):
            line = text[start:end]
            if not NEEDS_LOOK.search(line):
                continue
            fixed = ftfy.fix_text(line, self.config)
            if fixed != line:
                edits.extend(word_edits(self.rule_id, line, fixed, start, i + 1))
        return edits


# Longest stretch (in characters, each side) handed to difflib, which is quadratic or worse
# on long repetitive strings: a 50 kB line with three repairs took a minute.
MAX_DIFF = 2000
MAX_WORD = 100  # an edit is widened to whole words, up to this many characters each side
SPACES = regex.compile(r"(\s+)")


def word_edits(rule_id: str, old: str, new: str, offset: int, line_no: int) -> list[Edit]:
    """Split one line's change into per-word edits, so explain shows `donâ€™t` → `don’t`.

    Repairs rarely touch whitespace, so the line is first aligned word by word (linear);
    only the words that differ are diffed character by character.
    """
    a, b = SPACES.split(old), SPACES.split(new)
    if len(a) != len(b) or a[1::2] != b[1::2]:
        return char_edits(rule_id, old, new, offset, line_no)
    edits: list[Edit] = []
    pos = 0
    for x, y in zip(a, b, strict=True):
        if x != y:
            edits.extend(char_edits(rule_id, x, y, offset + pos, line_no))
        pos += len(x)
    return edits


def char_edits(rule_id: str, old: str, new: str, offset: int, line_no: int) -> list[Edit]:
    """Per-word edits from a character diff; a long changed stretch becomes one edit."""
    head = _common_prefix(old, new)
    tail = _common_prefix(old[head:][::-1], new[head:][::-1])
    mid_old, mid_new = old[head : len(old) - tail], new[head : len(new) - tail]
    if max(len(mid_old), len(mid_new)) > MAX_DIFF:
        opcodes = [("replace", 0, len(mid_old), 0, len(mid_new))]
    else:
        opcodes = difflib.SequenceMatcher(None, mid_old, mid_new, autojunk=False).get_opcodes()
    regions: list[list[int]] = []
    for tag, i1, i2, j1, j2 in opcodes:
        if tag == "equal":
            continue
        i1, j1 = _extend_left(old, new, head + i1, head + j1)
        i2, j2 = _extend_right(old, new, head + i2, head + j2)
        if regions and i1 <= regions[-1][1]:
            regions[-1][1] = max(regions[-1][1], i2)
            regions[-1][3] = max(regions[-1][3], j2)
        else:
            regions.append([i1, i2, j1, j2])
    return [Edit(rule_id, offset + i1, offset + i2, old[i1:i2], new[j1:j2], line_no) for i1, i2, j1, j2 in regions]


def _common_prefix(a: str, b: str) -> int:
    """Length of the common prefix, by bisection on slices (comparisons run in C)."""
    lo, hi = 0, min(len(a), len(b))
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if a[:mid] == b[:mid]:
            lo = mid
        else:
            hi = mid - 1
    return lo


def _extend_left(old: str, new: str, i: int, j: int) -> tuple[int, int]:
    stop = i - MAX_WORD
    while i > stop and i > 0 and j > 0 and old[i - 1] == new[j - 1] and old[i - 1].isalnum():
        i, j = i - 1, j - 1
    return i, j


def _extend_right(old: str, new: str, i: int, j: int) -> tuple[int, int]:
    stop = i + MAX_WORD
    while i < stop and i < len(old) and j < len(new) and old[i] == new[j] and old[i].isalnum():
        i, j = i + 1, j + 1
    return i, j


def build(rule: Rule, ctx: BuildContext) -> FixEncoding:
    import ftfy

    from cleaner.patterns import PatternError

    options = {name: rule.settings[name] for name in FTFY_SETTINGS}
    form = options.pop("normalization") or None
    if form not in (None, "NFC", "NFKC", "NFD", "NFKD"):
        raise PatternError(f"normalization must be '', NFC, NFKC, NFD or NFKD, not {form!r}")
    config = ftfy.TextFixerConfig(normalization=form, fix_line_breaks=False, explain=False, **options)
    return FixEncoding(rule.id, config)


KIND = Kind(
    name="fix_encoding",
    doc="Repair mojibake and other encoding damage with ftfy (cautious defaults).",
    settings=FTFY_SETTINGS,
    build=build,
)
