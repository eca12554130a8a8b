"""Which lines can a line rule match at all? An exact pre-check shared by the line rules.

Line rules (drop_line, strip_span, replace, drop_block's start) run their pattern on
one line at a time, and most lines of a document are body text that no rule can match.
Searching every rule's pattern over every text costs one slow regex scan per rule.

Instead, for each pattern anchored at the line start (`^...`), `line_starts` works out
from the pattern which first PREFIX characters a matching line can begin with, as
sequences of character tests (one per position, each a one-character regex run by the
`regex` module itself, so case-insensitivity and `\\p{..}` classes mean exactly what
they mean in the rule). The `LineMatcher` merges the sequences of all rules into one
trie; a line's first PREFIX characters then tell, with one dictionary look-up (the
answer is remembered per distinct prefix), which rules can match the line. Only those
run their regex on it. The answer can only err towards "maybe": every construct the
analysis does not model (look-arounds, `$`, back-references...) is taken as "anything".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import regex

from cleaner.kinds.base import StepContext, in_scope_lines, line_spans, may_match, text_lines
from cleaner.literals import LiteralIndex, required_literals

PREFIX = 3  # characters of a line looked at
MAX_SEQUENCES = 5000  # more start sequences than this: the rule is not worth dispatching
MEMO_LIMIT = 100_000  # distinct line prefixes remembered before the memo starts over

# regex flags the analysis does not model (anything else: ignorecase, multiline, dotall, verbose)
_UNSUPPORTED_FLAGS = regex.ASCII | regex.LOCALE | regex.FULLCASE | regex.WORD | regex.REVERSE | regex.VERSION1
_UNSUPPORTED_FLAGS |= regex.BESTMATCH | regex.ENHANCEMATCH | regex.POSIX
# regex-only syntax that the stdlib parser would read differently: POSIX classes, fuzzy matching
_UNSUPPORTED_SYNTAX = re.compile(r"\[:\^?[A-Za-z]+:\]|\{[\d\s+]*[eisd]")
_PROPERTY = re.compile(r"\\[pP](?:\{[^}]*\}|[A-Za-z])")
_PLACEHOLDERS = 0xF0000  # private-use plane: stands in for \p{..} while the stdlib parser reads the pattern


class _Unsupported(Exception):
    pass


class CharTest:
    """One position of a start sequence: does this character fit? (a one-character regex)."""

    def __init__(self, source: str, ignorecase: bool):
        self.source = source
        self._regex = regex.compile(source, regex.IGNORECASE if ignorecase else 0)
        self._known: dict[str, bool] = {}

    def __call__(self, ch: str) -> bool:
        known = self._known.get(ch)
        if known is None:
            known = self._known[ch] = self._regex.fullmatch(ch) is not None
        return known


ANY = CharTest(r"(?s:.)", False)

Sequence = tuple[tuple[CharTest, ...], bool]  # (tests, open: whatever follows is unconstrained)


def line_starts(pattern: regex.Pattern[str]) -> list[tuple[CharTest, ...]] | None:
    """Sequences of at most PREFIX character tests, one of which every line the pattern
    matches (searching the line on its own) begins with; a sequence shorter than
    PREFIX constrains only that many characters. None when the pattern is not anchored
    at the line start or uses syntax the analysis does not read."""
    try:
        return _Analysis(pattern).starts()
    except _Unsupported:
        return None


def line_ends(pattern: regex.Pattern[str]) -> list[tuple[CharTest, ...]] | None:
    """The same for the end of the line, for patterns anchored there (`...$`): the
    tests apply to the last character first, then the one before it, and so on."""
    try:
        return _Analysis(pattern, reverse=True).starts()
    except _Unsupported:
        return None


def parse_pattern(pattern: regex.Pattern[str]) -> tuple[Any, dict[str, str]]:
    """`pattern` parsed by the stdlib parser, for the analyses here and in `cleaner.literals`:
    (the parse tree, the private-use placeholders standing for its `\\p{..}` classes).
    Raises _Unsupported for flags or syntax the stdlib would read differently."""
    import re._parser as sre_parse

    if pattern.flags & _UNSUPPORTED_FLAGS or _UNSUPPORTED_SYNTAX.search(pattern.pattern):
        raise _Unsupported
    source, properties = _hide_properties(pattern.pattern)
    try:
        tree = sre_parse.parse(source, pattern.flags & (re.IGNORECASE | re.MULTILINE | re.DOTALL | re.VERBOSE))
    except Exception:
        raise _Unsupported from None
    return tree, properties


class _Analysis:
    """Start sequences of a parsed pattern; with `reverse`, end sequences (items walked backwards)."""

    def __init__(self, pattern: regex.Pattern[str], reverse: bool = False):
        import re._parser as sre_parse

        self.p = sre_parse
        self.reverse = reverse
        self.tree, self.properties = parse_pattern(pattern)
        self.ignorecase = bool((pattern.flags | self.tree.state.flags) & re.IGNORECASE)
        self.tests: dict[tuple[str, bool], CharTest] = {}

    def starts(self) -> list[tuple[CharTest, ...]]:
        if not self._anchored(self._ordered(self.tree)):
            raise _Unsupported
        return sorted({tests for tests, _ in self._sequence(list(self.tree), self.ignorecase)}, key=len)

    # -- is every match at the start of the line? --------------------------------------
    def _ordered(self, items: Any) -> list[Any]:
        return list(reversed(list(items))) if self.reverse else list(items)

    def _anchored(self, items: list[Any]) -> bool:
        p = self.p
        anchors = (p.AT_END, p.AT_END_STRING, p.AT_END_LINE) if self.reverse else (
            p.AT_BEGINNING, p.AT_BEGINNING_STRING, p.AT_BEGINNING_LINE)  # fmt: skip
        for op, arg in items:
            if op is p.AT:
                return arg in anchors
            if op in (p.ASSERT, p.ASSERT_NOT):
                continue  # zero-width: look at what follows
            if op is p.SUBPATTERN:
                return self._anchored(self._ordered(arg[3]))
            if op is p.ATOMIC_GROUP:
                return self._anchored(self._ordered(arg))
            if op is p.BRANCH:
                return all(self._anchored(self._ordered(alt)) for alt in arg[1])
            return False
        return False

    # -- the start sequences of a parsed (sub)pattern -----------------------------------
    def _sequence(self, items: Any, ic: bool) -> set[Sequence]:
        result: set[Sequence] = {((), False)}
        for item in self._ordered(items):
            result = _concat(result, self._item(item, ic))
            if all(is_open for _, is_open in result):
                break
        return result

    def _item(self, item: Any, ic: bool) -> set[Sequence]:
        p = self.p
        op, arg = item
        if op is p.LITERAL:
            return {((self._test(self._char(arg, in_class=False), ic),), False)}
        if op is p.NOT_LITERAL:
            return {((self._test("[^" + self._char(arg, in_class=True) + "]", ic),), False)}
        if op is p.IN:
            return {((self._test(self._class(arg), ic),), False)}
        if op is p.ANY:
            return {((ANY,), False)}
        if op in (p.AT, p.ASSERT, p.ASSERT_NOT):
            return {((), False)}  # zero-width: taken as always true
        if op is p.BRANCH:
            out: set[Sequence] = set()
            for alt in arg[1]:
                out |= self._sequence(list(alt), ic)
            return out
        if op is p.SUBPATTERN:
            _, add, remove, sub = arg
            if (add | remove) & ~(re.IGNORECASE | re.MULTILINE | re.DOTALL | re.VERBOSE):
                raise _Unsupported
            inner_ic = (ic or bool(add & re.IGNORECASE)) and not remove & re.IGNORECASE
            return self._sequence(list(sub), inner_ic)
        if op is p.ATOMIC_GROUP:
            return self._sequence(list(arg), ic)
        if op in (p.MAX_REPEAT, p.MIN_REPEAT, p.POSSESSIVE_REPEAT):
            return self._repeat(arg[0], arg[1], self._sequence(list(arg[2]), ic))
        return {((), True)}  # back-references, conditionals...: anything may follow

    def _repeat(self, low: int, high: int, body: set[Sequence]) -> set[Sequence]:
        out: set[Sequence] = {((), False)} if low == 0 else set()
        current: set[Sequence] = {((), False)}
        n = 0
        while n < high:
            n += 1
            current = _concat(current, body)
            if all(is_open for _, is_open in current):
                out |= current  # further repetitions cannot change a full prefix
                break
            if n >= low:
                before = len(out)
                out |= current
                if len(out) == before and n > low + PREFIX:
                    break
        return out

    # -- character tests ----------------------------------------------------------------
    def _test(self, source: str, ic: bool) -> CharTest:
        key = (source, ic)
        if key not in self.tests:
            self.tests[key] = CharTest(source, ic)
        return self.tests[key]

    def _char(self, code: int, in_class: bool) -> str:
        ch = chr(code)
        if ch in self.properties:
            return self.properties[ch]
        return regex.escape(ch, special_only=False) if in_class else regex.escape(ch)

    def _class(self, items: list[Any]) -> str:
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
                parts.append(self._char(arg, in_class=True))
            elif op is p.RANGE:
                if chr(arg[0]) in self.properties or chr(arg[1]) in self.properties:
                    raise _Unsupported
                parts.append(self._char(arg[0], True) + "-" + self._char(arg[1], True))
            elif op is p.CATEGORY and arg in categories:
                parts.append(categories[arg])
            else:
                raise _Unsupported
        return "[" + "".join(parts) + "]"


def _concat(left: set[Sequence], right: set[Sequence]) -> set[Sequence]:
    out: set[Sequence] = set()
    for tests, is_open in left:
        if is_open:
            out.add((tests, True))
            continue
        for more, more_open in right:
            joined = tests + more
            out.add((joined[:PREFIX], True) if len(joined) >= PREFIX else (joined, more_open))
    if len(out) > MAX_SEQUENCES:
        raise _Unsupported
    return out


def _hide_properties(source: str) -> tuple[str, dict[str, str]]:
    """Replace each `\\p{..}` / `\\P{..}` by a private-use character the stdlib parser accepts."""
    out: list[str] = []
    hidden: dict[str, str] = {}
    i = 0
    while i < len(source):
        ch = source[i]
        if _PLACEHOLDERS <= ord(ch) < _PLACEHOLDERS + 0x10000:
            raise _Unsupported
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


# --- the shared matcher ---------------------------------------------------------------


class _Node:
    __slots__ = ("children", "slots")

    def __init__(self) -> None:
        self.children: dict[CharTest, _Node] = {}
        self.slots: set[int] = set()


Candidates = list[tuple[int, int, int]]  # (line index, start, end) of the lines a rule may match


@dataclass
class LineMatcher:
    """The start (or end) sequences of every dispatched rule of a pipeline, in two tries.

    `candidates(text, ctx)` splits the text into lines once and, per rule slot, lists the
    lines the rule may match; it is remembered for the text (by identity) in `ctx.memo`,
    so the rules of one pass share it until one of them changes the text. A line's
    answer comes from its first (and last) PREFIX characters, remembered per distinct
    prefix (and suffix).
    """

    starts: _Node = field(default_factory=_Node)
    ends: _Node = field(default_factory=_Node)
    slots: int = 0
    _memo: dict[str, tuple[int, ...]] = field(default_factory=dict)
    _end_memo: dict[str, tuple[int, ...]] = field(default_factory=dict)
    key: object = field(default_factory=object)  # its entry in StepContext.memo

    def add(self, starts: list[tuple[CharTest, ...]], *, at_end: bool = False) -> int:
        """A new slot for a rule whose matching lines start (or with `at_end`, end) as given."""
        slot = self.slots
        self.slots += 1
        for tests in starts:
            node = self.ends if at_end else self.starts
            for test in tests:
                node = node.children.setdefault(test, _Node())
            node.slots.add(slot)
        self._memo.clear()
        self._end_memo.clear()
        return slot

    def slots_for(self, prefix: str, root: _Node | None = None) -> tuple[int, ...]:
        """Slots whose rule can match a line beginning with `prefix` (its first PREFIX
        characters); with `root=self.ends`, ending with `prefix` reversed."""
        found: set[int] = set()
        nodes = [self.starts if root is None else root]
        for ch in prefix:
            found.update(*(node.slots for node in nodes))
            nodes = [child for node in nodes for test, child in node.children.items() if test(ch)]
            if not nodes:
                break
        found.update(*(node.slots for node in nodes))
        return tuple(sorted(found))

    def candidates(self, text: str, ctx: StepContext) -> list[Candidates]:
        cached = ctx.memo.get(self.key)
        if cached is not None and cached[0] is text:
            return cached[1]
        memo, end_memo = self._memo, self._end_memo
        if len(memo) > MEMO_LIMIT or len(end_memo) > MEMO_LIMIT:
            memo.clear()
            end_memo.clear()
        found: list[Candidates] = [[] for _ in range(self.slots)]
        lines = text_lines(text, ctx)
        ends = self.ends if self.ends.children else None
        get, end_get = memo.get, end_memo.get
        pos = 0
        for i, line in enumerate(lines):
            key = line[:PREFIX]
            slots = get(key)
            if slots is None:
                slots = memo[key] = self.slots_for(key)
            if ends is not None:
                key = line[-PREFIX:]
                end_slots = end_get(key)
                if end_slots is None:
                    end_slots = end_memo[key] = self.slots_for(key[::-1], ends)
                slots = slots + end_slots if slots else end_slots
            if slots:
                span = (i, pos, pos + len(line))
                for slot in slots:
                    found[slot].append(span)
            pos += len(line) + 1
        ctx.memo[self.key] = (text, found)
        return found


@dataclass
class LineFilter:
    """What a line rule's step holds: its slot in the shared literal index (see
    `cleaner.literals`), or its slot in the shared line matcher, or a whole-text gate."""

    matcher: LineMatcher | None
    slot: int
    gate: regex.Pattern[str] | None  # used when the rule could not be dispatched
    rule_id: str
    literals: LiteralIndex | None = None
    literal_slot: int = 0

    def lines(self, text: str, ctx: StepContext) -> Candidates | None:
        """The lines the rule may match, in order; None when any line may."""
        if self.literals is not None:
            return self.literals.candidates(text, ctx)[self.literal_slot]
        if self.matcher is not None:
            return self.matcher.candidates(text, ctx)[self.slot]
        if not may_match(self.gate, text, ctx):
            return []
        return None


def line_checks(
    ctx: Any, pattern: regex.Pattern[str], rule_id: str
) -> tuple[regex.Pattern[str] | None, LineFilter | None]:
    """(whole-text prefilter, line filter) for a line rule being built with BuildContext `ctx`.

    Plain path: the prefilter only. Fast path: when the pattern has required literals,
    the lines that hold one (see `cleaner.literals`); else the rule's slot in the shared
    matcher when its start (or end) sequences are selective; else its prefilter as a gate.
    """
    from cleaner.patterns import line_prefilter

    if not ctx.fast or ctx.lines is None:
        return line_prefilter(pattern), None
    required = required_literals(pattern) if ctx.literals is not None else None
    if required:  # the lines holding its words are far fewer than those its first characters allow
        return None, LineFilter(None, 0, None, rule_id, ctx.literals, ctx.literals.add(required))
    starts = line_starts(pattern)
    if _selective(starts):
        return None, LineFilter(ctx.lines, ctx.lines.add(starts), None, rule_id)
    ends = line_ends(pattern)
    if _selective(ends):
        return None, LineFilter(ctx.lines, ctx.lines.add(ends, at_end=True), None, rule_id)
    return None, LineFilter(None, 0, line_prefilter(pattern), rule_id)


def _selective(sequences: list[tuple[CharTest, ...]] | None) -> bool:
    """Whether a line's first (last) character alone can rule the pattern out."""
    return sequences is not None and all(tests and tests[0] is not ANY for tests in sequences)


def lines_to_check(
    text: str,
    ctx: StepContext,
    rule_id: str,
    lines: LineFilter | None,
    prefilter: regex.Pattern[str] | None,
    first_lines: int,
    last_lines: int,
) -> Candidates:
    """(index, start, end) of the lines a line rule must run its pattern on, in order.

    Fast path (`lines` given): the shared matcher's candidates, or the rule's gate.
    Plain path: every line in scope, once the rule's whole-text prefilter has matched.
    """
    found: Candidates | None
    if lines is not None:
        found = lines.lines(text, ctx)
        if not found:
            return found if found is not None else _all_in_scope(text, first_lines, last_lines)
    else:
        if not may_match(prefilter, text, ctx):
            return []
        found = None
    if found is None:
        return _all_in_scope(text, first_lines, last_lines)
    if first_lines or last_lines:
        scope = set(in_scope_lines(text, line_spans(text), first_lines, last_lines))
        found = [c for c in found if c[0] in scope]
    return found


def _all_in_scope(text: str, first_lines: int, last_lines: int) -> Candidates:
    spans = line_spans(text)
    return [(i, *spans[i]) for i in in_scope_lines(text, spans, first_lines, last_lines)]
