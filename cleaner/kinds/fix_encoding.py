"""fix_encoding: repair mojibake with ftfy, cautiously.

Defaults fix what is surely broken (`donâ€™t`, `cafÃ©`, doubly encoded text, C1
controls, lone surrogates) and keep what may be intended: curly quotes, ligatures,
full-width characters and the text's Unicode normal form. Text that is already right
passes through byte-identical.

ftfy fixes text line by line anyway, and leaves a line alone unless it holds a character
one of its enabled fixers acts on. The plain path calls ftfy on every line holding a
character outside printable ASCII. The fast path (`trigger_class`) works out, from
ftfy's own tables and its badness regex, the much smaller set of characters without
which ftfy cannot change a line under this configuration (curly quotes, dashes, ©, ®,
NBSP… are not among them), finds those with one whole-text search, and calls ftfy only
on their lines. Each repaired word becomes its own edit, and its result is marked
`repaired` so later rules (fix_accents) leave it alone.
"""

from __future__ import annotations

import difflib
import itertools
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import regex

from cleaner.kinds.base import BuildContext, Kind, Rule, Setting, StepContext, line_spans
from cleaner.model import Edit

# Plain path: a line of printable ASCII (and tabs) is left alone by every ftfy fixer
# except unescape_html, which needs an `&`.
NEEDS_LOOK = re.compile(r"[^\t\x20-\x7e]")
NEEDS_LOOK_HTML = re.compile(r"[^\t\x20-\x7e]|&")

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
        "str",
        "Unicode normal form to apply: '', NFC, NFKC, NFD or NFKD ('' keeps the original).",
        "",
        choices=("", "NFC", "NFKC", "NFD", "NFKD"),
    ),
}


@dataclass
class FixEncoding:
    rule_id: str
    config: Any
    marks_repaired: bool = True
    context_sensitive: bool = False
    line_local: bool = True  # ftfy runs on each line alone
    trigger: re.Pattern[str] | None = None  # fast path: lines without a match are left alone
    window: Windows | None = None  # fast path, second look at a line the trigger found
    ascii_trigger: re.Pattern[str] | None = None  # the trigger's ASCII characters (for ASCII texts)

    def find(self, text: str, ctx: StepContext) -> list[Edit]:
        if self.trigger is None:
            return self._find_plain(text)
        import ftfy

        edits: list[Edit] = []
        trigger = self.trigger
        if text.isascii():  # a C-speed check; then only ASCII trigger characters can occur
            if self.ascii_trigger is None:
                return edits
            trigger = self.ascii_trigger
        line_no, counted = 1, 0
        pos = 0
        while (m := trigger.search(text, pos)) is not None:
            start = text.rfind("\n", 0, m.start()) + 1
            end = text.find("\n", m.end())
            end = len(text) if end == -1 else end
            pos = end + 1
            if self.window is not None and not self.window.any_in(text, start, end):
                continue
            line_no += text.count("\n", counted, start)
            counted = start
            line = text[start:end]
            fixed = ftfy.fix_text(line, self.config)
            if fixed != line:
                edits.extend(word_edits(self.rule_id, line, fixed, start, line_no))
        return edits

    def _find_plain(self, text: str) -> list[Edit]:
        import ftfy

        needs_look = NEEDS_LOOK_HTML if self.config.unescape_html else NEEDS_LOOK
        edits: list[Edit] = []
        for i, (start, end) in enumerate(line_spans(text)):
            line = text[start:end]
            if not needs_look.search(line):
                continue
            fixed = ftfy.fix_text(line, self.config)
            if fixed != line:
                edits.extend(word_edits(self.rule_id, line, fixed, start, i + 1))
        return edits


# --- the fast path's pre-check: which characters can make ftfy change a line ----------


def trigger_class(config: Any) -> str | None:
    """`trigger_chars` as a regex character class."""
    chars = trigger_chars(config)
    return _char_class(chars) if chars else None


def trigger_chars(config: Any) -> set[int] | None:
    """The characters (code points) some enabled ftfy fixer needs.

    A line with none of them comes back from `ftfy.fix_text(line, config)` unchanged:
    `fix_encoding` only acts on text its badness regex flags (`is_bad`), and every
    alternative of that regex needs one character of `badness_triggers()`; every other
    fixer acts on a fixed set of characters (C1 and other control characters,
    surrogates, the escape character, ligatures, full-width forms, curly quotes, `&`
    for HTML entities). Returns None when no such set can be given.
    """
    from ftfy import chardata, fixes

    if config.normalization:  # normal forms can change any non-ASCII character
        return None
    chars: set[int] = set()
    if config.fix_encoding:
        bad = badness_triggers()
        if bad is None:
            return None
        chars |= bad
    if config.fix_c1_controls:
        chars |= set(range(0x80, 0xA0))
    if config.fix_surrogates:
        chars |= set(range(0xD800, 0xE000))
    if config.remove_terminal_escapes:
        chars.add(0x1B)
    if config.remove_control_chars:
        chars |= set(chardata.CONTROL_CHARS)
    if config.unescape_html:
        chars.add(ord("&"))
    if config.fix_latin_ligatures:
        chars |= set(chardata.LIGATURES)
    if config.fix_character_width:
        chars |= set(chardata.WIDTH_MAP)
    if config.uncurl_quotes:
        chars |= _class_chars(fixes.SINGLE_QUOTE_RE.pattern) | _class_chars(fixes.DOUBLE_QUOTE_RE.pattern)
    if config.fix_line_breaks:  # cleaner always turns it off; handled for completeness
        return None
    return chars


@dataclass
class Windows:
    """Pairs of neighbouring characters (or single characters) one of which every line
    ftfy can change under a configuration holds.

    Sharper than `trigger_class`: each alternative of the badness regex contributes two
    characters it must consume side by side (chosen to avoid common text), the other
    fixers their characters. Checked on the few lines the trigger class finds, it spares
    ftfy the lines whose accented letters or symbols sit next to nothing mojibake would
    put there.
    """

    first: re.Pattern[str]  # the first characters of the pairs, and the single characters
    then: dict[str, frozenset[str] | None]  # first character: what may follow it (None: it alone)

    def any_in(self, text: str, start: int, end: int) -> bool:
        for m in self.first.finditer(text, start, end):
            follow = self.then[m.group()]
            if follow is None:
                return True
            p = m.end()
            if p < end and text[p] in follow:
                return True
        return False


def windows_for(config: Any) -> Windows | None:
    if not config.fix_encoding:
        return None
    pairs = badness_windows()
    if pairs is None:
        return None
    others = trigger_chars(config._replace(fix_encoding=False))
    if others is None:
        return None
    then: dict[str, set[str] | None] = {chr(c): None for c in others}
    for a, b in pairs:
        for c in map(chr, a):
            if b is None:
                then[c] = None
            elif c not in then or then[c] is not None:
                then[c] = (then.get(c) or set()) | set(map(chr, b))
    frozen = {c: None if f is None else frozenset(f) for c, f in then.items()}
    return Windows(re.compile(_char_class(set(map(ord, frozen)))), frozen)


@lru_cache(maxsize=1)
def badness_windows() -> list[tuple[set[int], set[int] | None]] | None:
    """Per alternative of ftfy's badness regex, two character sets it must match side by
    side (or one, when it has no such pair), chosen to be rare in correct text."""
    import re._parser as sre_parse

    from ftfy import badness

    common: set[int] = set(range(0x20, 0x7F))
    for category in ("common", "start_punctuation", "end_punctuation"):
        common |= _class_chars(f"[{badness.MOJIBAKE_CATEGORIES[category]}]")
    tree = sre_parse.parse(badness.BADNESS_RE.pattern, badness.BADNESS_RE.flags)
    items = list(tree)
    alternatives = items[0][1][1] if len(items) == 1 and items[0][0] is sre_parse.BRANCH else [tree]
    found: list[tuple[set[int], set[int] | None]] = []
    for alternative in alternatives:
        sets: list[set[int] | None] = []  # consuming items in order; None breaks adjacency
        for item in alternative:
            if item[0] is sre_parse.AT:
                continue  # zero-width: the characters around it are still side by side
            sets.append(_mandatory_set(item))
        options: list[tuple[int, set[int], set[int] | None]] = []
        for a, b in itertools.pairwise(sets):
            if a is not None and b is not None:
                options.append(((len(a & common) + 1) * (len(b & common) + 1), a, b))
        options += [((len(a & common) + 1) * 10_000, a, None) for a in sets if a is not None]
        if not options:
            return None
        _, a, b = min(options, key=lambda o: (o[0], len(o[1]) + len(o[2] or ())))
        found.append((a, b))
    return found


@lru_cache(maxsize=1)
def badness_triggers() -> frozenset[int] | None:
    """Characters one of which every match of ftfy's badness regex contains.

    Parses `ftfy.badness.BADNESS_RE` (a stdlib `re` pattern) and, in each of its
    alternatives, picks a character set the alternative must consume that avoids ASCII
    and the punctuation that correct text is full of (ftfy's own "common", "start" and
    "end punctuation" categories: curly quotes, dashes, ©, ®, NBSP…). None when some
    alternative offers no such set (then the fast path is not used).
    """
    import re._parser as sre_parse

    from ftfy import badness

    benign: set[int] = set(range(0x80))
    for category in ("common", "start_punctuation", "end_punctuation"):
        benign |= _class_chars(f"[{badness.MOJIBAKE_CATEGORIES[category]}]")
    tree = sre_parse.parse(badness.BADNESS_RE.pattern, badness.BADNESS_RE.flags)
    items = list(tree)
    alternatives = items[0][1][1] if len(items) == 1 and items[0][0] is sre_parse.BRANCH else [tree]
    found: set[int] = set()
    for alternative in alternatives:
        options = [s for s in (_mandatory_set(item) for item in alternative) if s is not None and not s & benign]
        if not options:
            return None
        found |= min(options, key=len)
    return frozenset(found)


def _mandatory_set(item: Any) -> set[int] | None:
    """The characters one parsed regex item must consume one of, if it is a plain set."""
    import re._parser as sre_parse

    op, arg = item
    if op is sre_parse.LITERAL:
        return {arg}
    if op is sre_parse.IN:
        chars: set[int] = set()
        for sub_op, sub_arg in arg:
            if sub_op is sre_parse.LITERAL:
                chars.add(sub_arg)
            elif sub_op is sre_parse.RANGE:
                chars.update(range(sub_arg[0], sub_arg[1] + 1))
            else:  # categories, negation: not a plain set
                return None
        return chars
    if op in (sre_parse.MAX_REPEAT, sre_parse.MIN_REPEAT) and arg[0] >= 1 and len(arg[2]) == 1:
        return _mandatory_set(arg[2][0])
    return None


def _class_chars(cls: str) -> set[int]:
    """The code points of a character class given as `re` source (`[...]`)."""
    import re._parser as sre_parse

    items = list(sre_parse.parse(cls))
    chars = _mandatory_set(items[0]) if len(items) == 1 else None
    if chars is None:
        raise ValueError(f"not a plain character class: {cls!r}")
    return chars


def _char_class(chars: set[int]) -> str:
    """A compact `re` character class for a set of code points."""
    runs: list[tuple[int, int]] = []
    for c in sorted(chars):
        if runs and runs[-1][1] == c - 1:
            runs[-1] = (runs[-1][0], c)
        else:
            runs.append((c, c))

    def esc(c: int) -> str:
        return f"\\U{c:08x}"

    return "[" + "".join(esc(a) if a == b else f"{esc(a)}-{esc(b)}" for a, b in runs) + "]"


# --- edits: one per repaired word ------------------------------------------------------

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

    options = {name: rule.settings[name] for name in FTFY_SETTINGS}
    form = options.pop("normalization") or None  # the loader has checked it against the choices
    # explain=True: with explain=False, ftfy 6.x repairs encodings without the config, so
    # restore_byte_a0, replace_lossy_sequences and decode_inconsistent_utf8 would be ignored
    config = ftfy.TextFixerConfig(normalization=form, fix_line_breaks=False, explain=True, **options)
    chars = trigger_chars(config) if ctx.fast else None
    if not chars:
        return FixEncoding(rule.id, config)
    ascii_chars = {c for c in chars if c < 0x80}
    return FixEncoding(
        rule.id,
        config,
        trigger=re.compile(_char_class(chars)),
        window=windows_for(config),
        ascii_trigger=re.compile(_char_class(ascii_chars)) if ascii_chars else None,
    )


KIND = Kind(
    name="fix_encoding",
    doc="Repair mojibake and other encoding damage with ftfy (cautious defaults).",
    settings=FTFY_SETTINGS,
    build=build,
)
