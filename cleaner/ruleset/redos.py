"""Catastrophic-backtracking probes for rule patterns (`cleaner rules check`).

A pattern such as `^(a|aa)+$` takes exponential time on `"a" * 40 + "!"`; the `regex`
module defuses some textbook cases (`(a+)+$`) but not all, so the only honest test is
to run the real engine on adversarial input under a timeout. Probes are built from the
pattern itself: for every repeated part, a prefix that reaches it, the part's own
characters pumped many times, then a suffix that makes the match fail, so the engine
tries every way of splitting the pumped run. Patterns use the standard library's
parser for their structure (the `regex`-only syntax is approximated, e.g. `\\p{L}` as
`\\w`); if it cannot parse one, probes pump the pattern's literal characters instead.

A probe that exceeds PROBE_TIMEOUT is re-run with CONFIRM_TIMEOUT, so a loaded machine
does not make a sane pattern look catastrophic.
"""

from __future__ import annotations

import itertools
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass

import regex

try:  # Python 3.11+: the parser behind `re`, which exposes a pattern's structure
    from re import _constants as C
    from re import _parser as sre_parse
except ImportError:  # pragma: no cover - older layout
    import sre_constants as C  # type: ignore[no-redef]
    import sre_parse  # type: ignore[no-redef]

PROBE_TIMEOUT = 0.2
CONFIRM_TIMEOUT = 2.0
SHORT, LONG = 40, 1000  # characters of pumped text: exponential blow-ups need few, high powers more
LONG_BUDGET = 1.0  # seconds of long probes per pattern (short ones, which catch exponential cases, all run)
SUFFIXES = ("!", "\x00", "\n", "")
PATTERN_SETTINGS = ("pattern", "unless", "start", "end")
MAX_SAMPLES = 6
POOL = "aA1 _!.-\u00e9\t"  # candidates for "any character but ..."

_CATEGORY_SAMPLES = {
    C.CATEGORY_DIGIT: "1",
    C.CATEGORY_NOT_DIGIT: "a",
    C.CATEGORY_SPACE: " ",
    C.CATEGORY_NOT_SPACE: "a",
    C.CATEGORY_WORD: "a",
    C.CATEGORY_NOT_WORD: " ",
}
_REGEX_ONLY = [  # regex-module syntax the standard parser does not know, approximated
    (re.compile(r"\\[pP]\{[^}]*\}|\\[pP][A-Za-z]"), r"\\w"),
    (re.compile(r"\\[mM]"), r"\\b"),
    (re.compile(r"\\X"), "."),
    (re.compile(r"\(\?V[01]\)"), ""),
]


@dataclass(frozen=True)
class Finding:
    rule_id: str
    setting: str
    source: str
    line: int | None
    pattern: str
    probe: str
    seconds: float

    def __str__(self) -> str:
        where = f"{self.source}:{self.line}" if self.line else self.source
        return (
            f"{where} [{self.rule_id}] {self.setting}: catastrophic backtracking: took over {self.seconds:g}s "
            f"on {self.probe}\n    fix: make the repeated parts unambiguous (no nested or overlapping "
            f"quantifiers such as (a|aa)+ or (\\w+\\s?)+), or bound them ({{0,80}})"
        )


def check_pipeline(pipeline) -> list[Finding]:
    """Probe every pattern of every rule; one finding per catastrophic pattern."""
    findings = []
    for rule, step in zip(pipeline.rules, pipeline.steps, strict=True):
        for setting in PATTERN_SETTINGS:
            pattern = getattr(step, setting, None)
            if isinstance(pattern, regex.Pattern):
                hit = probe_pattern(pattern)
                if hit is not None:
                    findings.append(Finding(rule.id, setting, rule.source, rule.line, pattern.pattern, *hit))
    return findings


def probe_pattern(
    pattern: regex.Pattern[str], timeout: float = PROBE_TIMEOUT, confirm: float = CONFIRM_TIMEOUT
) -> tuple[str, float] | None:
    """(a description of the probe, the timeout it exceeded) if the pattern backtracks catastrophically."""
    spent = 0.0
    for prefix, pump, suffix, n in probes(pattern.pattern, pattern.flags):
        text = prefix + pump * n + suffix
        if len(pump) * n > SHORT and spent > LONG_BUDGET:
            break
        start = time.perf_counter()
        if _too_slow(pattern, text, timeout) and _too_slow(pattern, text, confirm):
            return f"{prefix!r} + {pump!r} × {n} + {suffix!r}", confirm
        if len(pump) * n > SHORT:
            spent += time.perf_counter() - start
    return None


def _too_slow(pattern: regex.Pattern[str], text: str, timeout: float) -> bool:
    try:
        pattern.search(text, timeout=timeout)
    except TimeoutError:
        return True
    return False


def probes(source: str, flags: int = 0) -> Iterator[tuple[str, str, str, int]]:
    """(prefix, pump, suffix, repetitions), short ones first, without repeats."""
    pairs = list(dict.fromkeys([*_structured(source, flags), *(("", pump) for pump in _literal_pumps(source))]))
    for size in (SHORT, LONG):
        for prefix, pump in pairs:
            if pump:
                for suffix in SUFFIXES:
                    yield prefix, pump, suffix, max(2, size // len(pump))


def _structured(source: str, flags: int) -> Iterator[tuple[str, str]]:
    tree = _parse(source, flags)
    if tree is None:
        return
    for prefix, body in _repeats(list(tree), ""):
        samples = _samples(body)
        pumps = [s for s in samples if s]
        pumps += [a + b for a, b in itertools.permutations(pumps[:3], 2)]
        for pump in pumps:
            yield prefix, pump


def _parse(source: str, flags: int):
    re_flags = 0
    for name in ("IGNORECASE", "MULTILINE", "DOTALL", "VERBOSE", "ASCII"):
        if flags & getattr(regex, name):
            re_flags |= getattr(re, name)
    for attempt in (source, _approximate(source)):
        try:
            return sre_parse.parse(attempt, re_flags)
        except (re.error, RecursionError, OverflowError, ValueError, TypeError):
            continue
    return None


def _approximate(source: str) -> str:
    for pattern, replacement in _REGEX_ONLY:
        source = pattern.sub(replacement, source)
    return source


def _repeats(items: list, prefix: str) -> Iterator[tuple[str, list]]:
    """(text that leads up to it, its body) for every repeated part, outermost first."""
    for i, (op, av) in enumerate(items):
        before = prefix + "".join(_minimal(items[:i]))
        if op in (C.MAX_REPEAT, C.MIN_REPEAT, getattr(C, "POSSESSIVE_REPEAT", None)):
            _low, high, body = av
            if high == C.MAXREPEAT or high > 1:
                yield before, list(body)
            yield from _repeats(list(body), before)
        elif op == C.SUBPATTERN:
            yield from _repeats(list(av[-1]), before)
        elif op == getattr(C, "ATOMIC_GROUP", None):
            yield from _repeats(list(av), before)
        elif op == C.BRANCH:
            for branch in av[1]:
                yield from _repeats(list(branch), before)


def _minimal(items: list) -> list[str]:
    return [(_samples([item]) or [""])[0] for item in items]


def _samples(items: list) -> list[str]:
    """A few strings the sequence `items` matches (approximately), shortest choices first."""
    results = [""]
    for op, av in items:
        options = _item_samples(op, av)
        if not options:
            continue
        results = [a + b for a, b in itertools.islice(itertools.product(results, options), MAX_SAMPLES)]
    return list(dict.fromkeys(results))[:MAX_SAMPLES]


def _item_samples(op, av) -> list[str]:
    if op == C.LITERAL:
        return [chr(av)]
    if op == C.NOT_LITERAL:
        return [next(c for c in POOL if ord(c) != av)]
    if op == C.ANY:
        return ["a"]
    if op == C.IN:
        return _set_samples(av)
    if op == C.BRANCH:
        out = [s for branch in av[1] for s in _samples(list(branch))[:2]]
        return list(dict.fromkeys(out))[:MAX_SAMPLES]
    if op == C.SUBPATTERN:
        return _samples(list(av[-1]))
    if op == getattr(C, "ATOMIC_GROUP", None):
        return _samples(list(av))
    if op in (C.MAX_REPEAT, C.MIN_REPEAT, getattr(C, "POSSESSIVE_REPEAT", None)):
        low, high, body = av
        inner = [s for s in _samples(list(body)) if s] or [""]
        times = max(low, 1) if high != 0 else 0
        out = [s * times for s in inner]
        if high == C.MAXREPEAT or high > times:
            out += [s * (times + 1) for s in inner[:2]]
        return list(dict.fromkeys(out))[:MAX_SAMPLES]
    return [""]  # anchors, lookarounds, back-references: zero-width for our purpose


def _set_samples(items: list) -> list[str]:
    negated = any(op == C.NEGATE for op, _ in items)
    chars: list[str] = []
    for op, av in items:
        if op == C.LITERAL:
            chars.append(chr(av))
        elif op == C.RANGE:
            chars += [chr(av[0]), chr(av[1])]
        elif op == C.CATEGORY:
            chars.append(_CATEGORY_SAMPLES.get(av, "a"))
    if negated:
        return [next((c for c in POOL if c not in chars), "\u2603")]
    return list(dict.fromkeys(chars))[:MAX_SAMPLES] or ["a"]


# Group syntax is not text: `(?(DEFINE)`, `(?<name>`, `(?&name)`, `(?i:`, `(?=` ...
_GROUP_SYNTAX = re.compile(r"\(\?(?:\(DEFINE\)|P?<\w+>|&\w+|P>\w+|\d+\)|R\)|[a-zA-Z-]*[:)]|[:=!>|#]|<[=!])")
_LITERAL_CHARS = re.compile(r"\\[pP]\{[^}]*\}|\\.|[^\\()\[\]{}|*+?^$]")
_CLASS_CHARS = {"\\s": " ", "\\S": "a", "\\w": "a", "\\W": " ", "\\d": "1", "\\D": "a", ".": "a"}


def _literal_pumps(source: str) -> list[str]:
    """When structure is unknown: the pattern's own characters, alone and in pairs."""
    chars = []
    for token in _LITERAL_CHARS.findall(_GROUP_SYNTAX.sub("", source)):
        if token in _CLASS_CHARS:
            chars.append(_CLASS_CHARS[token])
        elif token.startswith("\\p") or token.startswith("\\P"):
            chars.append("a")
        elif len(token) == 2 and token[0] == "\\" and not token[1].isalnum():
            chars.append(token[1])
        elif len(token) == 1:
            chars.append(token)
    chars = list(dict.fromkeys(chars))[:12]
    return chars + [a + b for a, b in itertools.permutations(chars[:4], 2)]
