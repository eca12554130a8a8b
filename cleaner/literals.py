"""Required literals: words one of which every match of a pattern must contain.

Most boilerplate rules are built around a few words (`click here`, `newsletter`,
`Anzeige`) wrapped in loose context (`^.{0,80}?...{0,120}$`). Such a pattern cannot be
dispatched on a line's first characters (see `cleaner.linematch`), and running it on
every line costs a slow regex scan per rule per document. But the pattern itself says
that no line can match unless it contains one of those words. `required_literals`
reads that set off the parsed pattern, the way RE2 and Hyperscan build their
prefilters. A pipeline's `LiteralIndex` holds the sets of all its rules in one
Aho-Corasick automaton: one scan of a document's case-folded text finds every
occurrence, and each rule is handed only the lines that hold one of its words (none
at all, for most rules on most documents).

The analysis can only err towards "maybe": a construct it does not model (classes
with many characters, `\\p{..}`, back-references...) stands for "any text", and a
pattern whose required set would be empty or too short to be worth looking for gets
no gate at all. Every string is case-folded with `cleaner.casefold.fold`, which agrees
with the `regex` module's IGNORECASE, so case-insensitive and case-sensitive parts are
handled alike (folding can only let more lines through).
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from itertools import accumulate, product
from typing import Any

import regex

from cleaner.casefold import fold
from cleaner.kinds.base import StepContext, text_lines

MAX_EXACT = 64  # strings kept while a node's whole set of matches is still known
MAX_CLASS = 8  # a character class with more members than this is "any character"
MIN_LENGTH = 3  # a gate whose shortest word is shorter than this passes too many lines to pay


@dataclass(frozen=True)
class _Info:
    """What the analysis knows of a (sub)pattern's matches.

    `exact`: every string it can match (folded), when there are few; `factors`: strings
    one of which every match contains, or None when nothing is known.
    """

    exact: frozenset[str] | None
    factors: frozenset[str] | None


_EMPTY = _Info(frozenset({""}), None)
_UNKNOWN = _Info(None, None)


def required_literals(pattern: regex.Pattern[str]) -> tuple[str, ...] | None:
    """Folded strings one of which every match of `pattern` contains; None when unknown."""
    import re._parser as sre_parse

    from cleaner.linematch import parse_pattern

    try:
        tree, properties = parse_pattern(pattern)
        info = _Reader(sre_parse, set(properties)).sequence(list(tree))
    except Exception:  # syntax the analysis does not read: no gate, the rule runs on every line
        return None
    best = _usable(info.exact) or _usable(info.factors)
    return tuple(sorted(best)) if best else None


def _usable(strings: frozenset[str] | None) -> frozenset[str] | None:
    if not strings or min(len(s) for s in strings) < MIN_LENGTH:
        return None
    return _minimal(strings)


def _minimal(strings: frozenset[str]) -> frozenset[str]:
    """Drop strings that contain another member: finding the shorter one is enough."""
    ordered = sorted(strings, key=len)
    kept: list[str] = []
    for s in ordered:
        if not any(k in s for k in kept):
            kept.append(s)
    return frozenset(kept)


def _strength(strings: frozenset[str] | None) -> tuple[int, int]:
    """How selective a set is: its shortest string first, then fewer strings."""
    if not strings:
        return (0, 0)
    return (min(len(s) for s in strings), -len(strings))


class _Reader:
    def __init__(self, sre_parse: Any, properties: set[str]):
        self.p = sre_parse
        self.properties = properties

    def sequence(self, items: list[Any]) -> _Info:
        """A concatenation: exact strings multiply out while few; otherwise the most
        selective factor set among the runs of exact items and the items' own factors."""
        best: frozenset[str] | None = None
        run: frozenset[str] | None = frozenset({""})  # the exact strings of the current run
        whole: frozenset[str] | None = frozenset({""})  # the exact strings of everything so far
        for item in items:
            info = self.item(item)
            if info.exact is not None:
                joined = _join(run, info.exact) if run is not None else None
                if joined is None:  # too many strings: close the run, start again
                    best = _stronger(best, run)
                    joined = info.exact
                run = joined
                whole = _join(whole, info.exact) if whole is not None else None
            else:
                best = _stronger(_stronger(best, run), info.factors)
                run = frozenset({""})
                whole = None
        best = _stronger(best, run)
        if whole is not None:
            return _Info(whole, whole)
        return _Info(None, best)

    def item(self, item: Any) -> _Info:
        p = self.p
        op, arg = item
        if op is p.LITERAL:
            ch = chr(arg)
            return _UNKNOWN if ch in self.properties else _exact({fold(ch)})
        if op is p.IN:
            return self.char_class(arg)
        if op in (p.AT, p.ASSERT, p.ASSERT_NOT):
            return _EMPTY  # zero-width
        if op is p.BRANCH:
            return _either([self.sequence(list(alt)) for alt in arg[1]])
        if op is p.SUBPATTERN:
            return self.sequence(list(arg[3]))
        if op is p.ATOMIC_GROUP:
            return self.sequence(list(arg))
        if op in (p.MAX_REPEAT, p.MIN_REPEAT, p.POSSESSIVE_REPEAT):
            return self.repeat(arg[0], arg[1], self.sequence(list(arg[2])))
        return _UNKNOWN  # ANY, NOT_LITERAL, back-references, conditionals...

    def char_class(self, items: list[Any]) -> _Info:
        p = self.p
        chars: set[str] = set()
        for op, arg in items:
            if op is p.LITERAL and chr(arg) not in self.properties:
                chars.add(fold(chr(arg)))
            elif op is p.RANGE and arg[1] - arg[0] < MAX_CLASS:
                chars.update(fold(chr(c)) for c in range(arg[0], arg[1] + 1))
            else:
                return _UNKNOWN  # negation, categories, properties, wide ranges
            if len(chars) > MAX_CLASS:
                return _UNKNOWN
        return _exact(chars)

    def repeat(self, low: int, high: int, body: _Info) -> _Info:
        if low == 0:
            if high == 1 and body.exact is not None:
                return _exact(body.exact | {""})
            return _EMPTY if high == 0 else _UNKNOWN
        if body.exact is not None and low == high:
            joined: frozenset[str] | None = frozenset({""})
            for _ in range(low):
                joined = _join(joined, body.exact) if joined is not None else None
            if joined is not None:
                return _exact(joined)
        # at least one copy of the body is in every match
        return _Info(None, body.exact if body.exact is not None else body.factors)


def _exact(strings: set[str] | frozenset[str]) -> _Info:
    strings = frozenset(strings)
    return _Info(strings, strings)


def _join(left: frozenset[str], right: frozenset[str]) -> frozenset[str] | None:
    if len(left) * len(right) > MAX_EXACT:
        return None
    return frozenset(a + b for a, b in product(left, right))


def _either(alternatives: list[_Info]) -> _Info:
    """A branch: its matches are those of any alternative."""
    if all(a.exact is not None for a in alternatives):
        union = frozenset().union(*(a.exact for a in alternatives if a.exact is not None))
        if len(union) <= MAX_EXACT:
            return _exact(union)
    factors: set[str] = set()
    for a in alternatives:
        own = a.exact if a.exact is not None and len(a.exact) <= MAX_EXACT else a.factors
        if not own or "" in own:
            return _UNKNOWN  # this alternative may match without any known string
        factors |= own
    return _Info(None, frozenset(factors))


def _stronger(a: frozenset[str] | None, b: frozenset[str] | None) -> frozenset[str] | None:
    if not b or "" in b:
        return a
    if not a or "" in a:
        return b
    return b if _strength(b) > _strength(a) else a


# --- the index ------------------------------------------------------------------------


class LiteralIndex:
    """The required literals of every gated rule of a pipeline, in one Aho-Corasick automaton.

    One scan of a text's folded copy (in Rust, `ahocorasick_rs`) finds every occurrence
    of every rule's literals; `lines(text, ctx)` turns them into, per rule slot, the
    lines that hold one. It is remembered for the text (by identity) in `ctx.memo`, so the
    rules of a pass share one scan until one of them changes the text.
    """

    def __init__(self) -> None:
        self.slots_of: dict[str, list[int]] = {}  # literal -> the slots that require it
        self.slots = 0
        self.key = object()  # its entry in StepContext.memo
        self._automaton: Any = None
        self._patterns: list[list[int]] = []  # automaton pattern index -> slots

    def add(self, literals: tuple[str, ...]) -> int:
        """A new slot for a rule that cannot match a line without one of `literals`."""
        slot = self.slots
        self.slots += 1
        for literal in literals:
            self.slots_of.setdefault(literal, []).append(slot)
        self._automaton = None
        return slot

    def __getstate__(self) -> dict[str, Any]:
        return {**self.__dict__, "_automaton": None}  # the automaton is rebuilt where it is used

    def _build(self) -> Any:
        import ahocorasick_rs

        literals = list(self.slots_of)
        self._patterns = [self.slots_of[literal] for literal in literals]
        self._automaton = ahocorasick_rs.AhoCorasick(
            literals, matchkind=ahocorasick_rs.MatchKind.Standard, implementation=ahocorasick_rs.Implementation.DFA
        )
        return self._automaton

    def candidates(self, text: str, ctx: StepContext) -> list[list[tuple[int, int, int]]]:
        """Per slot: (index, start, end) of the lines holding one of its literals, in order
        (none: the rule cannot match the text)."""
        cached = ctx.memo.get(self.key)
        if cached is not None and cached[0] is text:
            return cached[1]
        automaton = self._automaton or self._build()
        folded = fold(text)
        found: list[list[tuple[int, int, int]]] = [[] for _ in range(self.slots)]
        matches = automaton.find_matches_as_indexes(folded, overlapping=True)
        if matches:
            patterns = self._patterns
            lines = text_lines(text, ctx)
            starts = _starts(lines)
            # folding keeps every newline, and but for a rare letter every offset: line i is line i of `folded`
            at_starts = starts if len(folded) == len(text) else _starts(folded.split("\n"))
            holding: dict[int, set[int]] = {}
            for index, at, _ in matches:
                line = bisect_right(at_starts, at) - 1
                for slot in patterns[index]:
                    holding.setdefault(slot, set()).add(line)
            for slot, indices in holding.items():
                found[slot] = [(i, starts[i], starts[i] + len(lines[i])) for i in sorted(indices)]
        ctx.memo[self.key] = (text, found)
        return found


def _starts(lines: list[str]) -> list[int]:
    """Offsets of the first characters of `lines` (split on newlines)."""
    return [0, *accumulate(len(line) + 1 for line in lines)][: len(lines)]
