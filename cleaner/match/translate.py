"""A rule's `regex` pattern as a scanner pattern that matches wherever the rule can.

The scanner (see `cleaner.match.scanner`) is a prefilter, never the judge: the `regex`
module confirms every line it hands on. So the translation need not be exact, only a
superset: every line the rule's pattern matches (searched on the line alone) must hold a
match of the translation. What the scanner cannot express becomes something looser:

- look-arounds and `\\b` become nothing, back-references "any run of characters";
- `^` and `$` stay only at the two ends of the pattern, or as an alternative on their
  own (`(?:^|\\W)`), where they become the newline the scanned text has on that side;
- lazy, possessive and atomic parts become plain greedy ones;
- wide bounded repeats (`.{0,700}`) become unbounded (`.*`);
- trailing parts that may match nothing (`.{0,120}` not followed by `$`) are cut, so the
  scanner reports a match once per occurrence of the rule's core, not at every position
  a loose tail can reach.

Character classes never lean on the scanner's own Unicode or case tables, which differ
from `regex`'s (İ, ı, ſ, K...): each class is written out. Its ASCII members are
tested one by one with `regex` itself (under the rule's flags), plus the few non-ASCII
characters `regex` equates with an ASCII letter (`ASCII_CASE_ODDITIES`); any other
non-ASCII member (a `\\p{..}`, `\\w`, a negation, a case-insensitive non-ASCII letter)
makes the class admit every non-ASCII character. Only a case-sensitive non-ASCII literal
stays exact. Every class leaves out the newline, so a match never spans two lines and
its end offset names the line it lies in.

A pattern whose syntax the stdlib parser would read differently (fuzzy matching, POSIX
classes, the FULLCASE/WORD/V1 flags...) raises `Untranslatable`; its rule is then not
planned and looks at every line (the plain path for that rule).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any

import regex

VERSION = "3"  # bump when the translation changes: compiled scans in the cache are keyed by it
MAX_BOUND = 16  # a repeat allowing more copies than this becomes unbounded
# regex flags the translation does not model (anything else: ignorecase, multiline, dotall, verbose)
_UNSUPPORTED_FLAGS = regex.ASCII | regex.LOCALE | regex.FULLCASE | regex.WORD | regex.REVERSE | regex.VERSION1
_UNSUPPORTED_FLAGS |= regex.BESTMATCH | regex.ENHANCEMATCH | regex.POSIX
# regex-only syntax that the stdlib parser would read differently: POSIX classes, fuzzy matching
_UNSUPPORTED_SYNTAX = re.compile(r"\[:\^?[A-Za-z]+:\]|\{[\d\s+]*[eisd]")
_PROPERTY = re.compile(r"\\[pP](?:\{[^}]*\}|[A-Za-z])")
_PLACEHOLDERS = 0xF0000  # private-use plane: stands in for \p{..} while the stdlib parser reads the pattern
_MODELLED = re.IGNORECASE | re.MULTILINE | re.DOTALL | re.VERBOSE
# The non-ASCII characters that a case-insensitive `regex` pattern matches to an ASCII letter
# (İ to i, ſ to s, the Kelvin sign to k); tests/test_fastpath.py checks the list. The scanner's
# classes leave them out, so a text holding one takes the exact path (see plan.py).
ASCII_CASE_ODDITIES = ODDITIES = "\u0130\u017f\u212a"
_ASCII = [chr(c) for c in range(128) if c != 10]  # a line's ASCII characters
NON_ASCII = r"\x{80}-\x{D7FF}\x{E000}-\x{10FFFF}"  # every non-ASCII code point (surrogates are not text)
MAX_RANGES = 32  # a class with more runs of non-ASCII members than this admits them all


class Untranslatable(Exception):
    """The pattern uses syntax or flags the translation does not read."""


@dataclass(frozen=True)
class Part:
    """A translated (sub)pattern: its scanner source, and whether it can match the empty string."""

    source: str
    nullable: bool
    anchor: str = ""  # "^" or "$" for a line anchor (kept only next to the core)


def parse_pattern(pattern: regex.Pattern[str]) -> tuple[Any, dict[str, str]]:
    """`pattern` parsed by the stdlib parser: (the parse tree, the private-use placeholders
    standing for its `\\p{..}` classes). Raises Untranslatable for flags or syntax the
    stdlib would read differently from `regex`."""
    import re._parser as sre_parse

    if pattern.flags & _UNSUPPORTED_FLAGS or _UNSUPPORTED_SYNTAX.search(pattern.pattern):
        raise Untranslatable(pattern.pattern)
    source, properties = _hide_properties(pattern.pattern)
    try:
        tree = sre_parse.parse(source, pattern.flags & _MODELLED)
    except Exception:
        raise Untranslatable(pattern.pattern) from None
    return tree, properties


def translations(pattern: regex.Pattern[str]) -> list[str]:
    """Scanner sources of supersets of `pattern` (searched line by line), most precise
    first: the whole translation, then ever shorter leading parts of it (each still a
    superset), for a scanner that rejects the longer ones. Raises Untranslatable when the
    pattern cannot be read or its superset would match the empty string (no filter)."""
    tree, properties = parse_pattern(pattern)
    ignorecase = bool((pattern.flags | tree.state.flags) & re.IGNORECASE)
    parts = _Translator(properties).items(list(tree), ignorecase)
    out = []
    while parts:
        core = _core(parts)
        if not core:
            break
        source = "".join(p.anchor or p.source for p in core)
        if source not in out:
            out.append(source)
        parts = core[:-1]
    if not out:
        raise Untranslatable(pattern.pattern)
    return out


def _core(parts: list[Part]) -> list[Part]:
    """The parts the scanner runs. A pattern that ends at the line end (`...$`) is kept
    whole: its scanner match can end only there, once per line. Otherwise the trailing
    parts that may match nothing are cut, or the scanner would report a match at every
    position a loose tail (`.{0,120}`) can reach. Anchors stay only at the two ends."""
    if not parts:
        return []
    if parts[-1].anchor != "$":
        while parts and parts[-1].nullable:
            parts = parts[:-1]
    if all(p.nullable for p in parts):
        return []
    last = len(parts) - 1
    return [p for i, p in enumerate(parts) if not p.anchor or (i == 0 and p.anchor == "^") or (i == last)]


class _Translator:
    def __init__(self, properties: dict[str, str]):
        import re._parser as sre_parse

        self.p = sre_parse
        self.properties = properties
        self.groups: dict[int, tuple[list[Any], bool]] = {}  # group number -> (its items, ignorecase)

    def items(self, items: list[Any], ic: bool) -> list[Part]:
        return [self.item(item, ic) for item in items]

    def sequence(self, items: list[Any], ic: bool) -> Part:
        parts = self.items(items, ic)
        return Part("".join(p.source for p in parts), all(p.nullable for p in parts))

    def item(self, item: Any, ic: bool) -> Part:
        p = self.p
        op, arg = item
        if op is p.LITERAL:
            ch = chr(arg)
            if ch in self.properties:
                return Part(self.char_class(self.properties[ch], ic), False)
            if not ic and ch != "\n":
                return Part(_escape(ch), False)
            # an ASCII letter's non-ASCII twins under IGNORECASE are ODDITIES: texts holding one take the exact path
            return Part(self.char_class(regex.escape(ch), ic, ascii_only=ch.isascii()), False)
        if op is p.NOT_LITERAL:
            return Part(self.char_class("[^" + self._char(arg) + "]", ic), False)
        if op is p.IN:
            return Part(self.char_class(self._class(arg, ic), ic), False)
        if op is p.ANY:
            return Part("[^\\n]", False)
        if op is p.AT:
            if arg in (p.AT_BEGINNING, p.AT_BEGINNING_STRING, p.AT_BEGINNING_LINE):
                return Part("", True, "^")
            if arg in (p.AT_END, p.AT_END_STRING, p.AT_END_LINE):
                return Part("", True, "$")
            return Part("", True)  # \b, \B: taken as always true
        if op in (p.ASSERT, p.ASSERT_NOT):
            return Part("", True)  # look-arounds: taken as always true
        if op is p.BRANCH:
            alts = [self._line_edge(alt) or self.sequence(list(alt), ic) for alt in arg[1]]
            return Part("(?:" + "|".join(a.source for a in alts) + ")", any(a.nullable for a in alts))
        if op is p.SUBPATTERN:
            _, add, remove, sub = arg
            if (add | remove) & ~_MODELLED:
                raise Untranslatable
            inner = (ic or bool(add & re.IGNORECASE)) and not remove & re.IGNORECASE
            body = self.sequence(list(sub), inner)
            if arg[0] is not None:  # after its body: a reference inside the group is not to itself
                self.groups[arg[0]] = (list(sub), inner)
            return Part("(?:" + body.source + ")", body.nullable)
        if op is p.ATOMIC_GROUP:
            body = self.sequence(list(arg), ic)
            return Part("(?:" + body.source + ")", body.nullable)
        if op in (p.MAX_REPEAT, p.MIN_REPEAT, p.POSSESSIVE_REPEAT):
            low, high, sub = arg
            body = self.sequence(list(sub), ic)
            if not body.source:
                return Part("", True)
            low = min(low, MAX_BOUND)
            bound = "" if high is p.MAXREPEAT or high > MAX_BOUND else str(high)
            quant = f"{{{low},{bound}}}"
            return Part("(?:" + body.source + ")" + quant, body.nullable or low == 0)
        if op is p.GROUPREF:
            # A back-reference matches text its group matched: the group's own superset. (As
            # "any run of characters" it would let the scanner report a match at every
            # position after it.) A group not yet seen: some run of the line's characters.
            if arg in self.groups:
                sub, inner = self.groups[arg]
                body = self.sequence(sub, inner or ic)
                return Part("(?:" + body.source + ")", body.nullable)
            return Part("[^\\n]*", True)
        raise Untranslatable  # conditionals and anything newer

    def _line_edge(self, alt: Any) -> Part | None:
        """An alternative that is just `^` or `$` (`(?:^|\\W)`): the newline on that side of
        the line (the scanned text has one before and after every line; see plan.py)."""
        if len(alt) == 1 and alt[0][0] is self.p.AT:
            anchor = self.item(alt[0], False).anchor
            if anchor:
                return Part(_escape("\n"), False)
        return None

    # -- character classes ----------------------------------------------------------------
    def char_class(self, source: str, ic: bool, ascii_only: bool = False) -> str:
        """The scanner class of the `regex` class `source`: every member written out."""
        test = regex.compile(source, regex.IGNORECASE if ic else 0)
        body = "".join(_escape(c) for c in _ASCII if test.fullmatch(c))
        if not ascii_only:
            body += _non_ascii(source, ic)
        if not body:
            raise Untranslatable("a class that matches no character of a line")
        return "[" + body + "]"

    def _char(self, code: int) -> str:
        ch = chr(code)
        if ch in self.properties:
            return self.properties[ch]
        return regex.escape(ch, special_only=False)

    def _class(self, items: list[Any], ic: bool) -> str:
        """The `regex` source of a parsed class."""
        p = self.p
        categories = {
            p.CATEGORY_DIGIT: r"\d", p.CATEGORY_NOT_DIGIT: r"\D", p.CATEGORY_SPACE: r"\s",
            p.CATEGORY_NOT_SPACE: r"\S", p.CATEGORY_WORD: r"\w", p.CATEGORY_NOT_WORD: r"\W",
        }  # fmt: skip
        parts = []
        for op, arg in items:
            if op is p.NEGATE:
                parts.append("^")
            elif op is p.LITERAL:
                parts.append(self._char(arg))
            elif op is p.RANGE:
                if chr(arg[0]) in self.properties or chr(arg[1]) in self.properties:
                    raise Untranslatable
                parts.append(self._char(arg[0]) + "-" + self._char(arg[1]))
            elif op is p.CATEGORY and arg in categories:
                parts.append(categories[arg])
            else:
                raise Untranslatable
        return "[" + "".join(parts) + "]"


@cache
def _all_non_ascii() -> str:
    """Every non-ASCII character but the surrogates and the case oddities, in order."""
    return "".join(chr(c) for c in range(0x80, 0x110000) if not 0xD800 <= c < 0xE000 and chr(c) not in ODDITIES)


@cache
def _non_ascii(source: str, ic: bool) -> str:
    """The non-ASCII members of a `regex` class, as scanner ranges: found by running the
    class itself over every non-ASCII character (tens of ms; compiled plans are cached).
    A class with more than MAX_RANGES runs of members admits every non-ASCII character."""
    test = regex.compile(source + "+", regex.IGNORECASE if ic else 0)
    everything = _all_non_ascii()
    runs = []
    for m in test.finditer(everything):
        runs.append((everything[m.start()], everything[m.end() - 1]))
        if len(runs) > MAX_RANGES:
            return NON_ASCII
    return "".join(_escape(lo) if lo == hi else _escape(lo) + "-" + _escape(hi) for lo, hi in runs)


def _escape(ch: str) -> str:
    """One character in scanner syntax (PCRE-like: Hyperscan and RE2 read it alike)."""
    code = ord(ch)
    if ch.isalnum() and code < 128:
        return ch
    return f"\\x{{{code:X}}}"


def _hide_properties(source: str) -> tuple[str, dict[str, str]]:
    """Replace each `\\p{..}` / `\\P{..}` by a private-use character the stdlib parser accepts."""
    out: list[str] = []
    hidden: dict[str, str] = {}
    i = 0
    while i < len(source):
        ch = source[i]
        if _PLACEHOLDERS <= ord(ch) < _PLACEHOLDERS + 0x10000:
            raise Untranslatable(source)
        if ch == "\\" and i + 1 < len(source):
            m = _PROPERTY.match(source, i)
            if m:
                placeholder = chr(_PLACEHOLDERS + len(hidden))
                hidden[placeholder] = m.group()
                out.append(placeholder)
                i = m.end()
            else:
                out.append(source[i : i + 2])
                i += 2
            continue
        out.append(ch)
        i += 1
    return "".join(out), hidden
