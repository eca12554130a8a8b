"""How big a pattern becomes once compiled: refuse the ones whose repeat counts explode.

The `regex` module unrolls a repeat's minimum count: `x{1000}` compiles to a thousand
copies of `x`, and counts multiply when repeats nest, `(?:ab{1000}){1000}` to a million
items (0.4 s). `x{99999999}` compiles for minutes (allocating gigabytes) before anything
could time it out, so a rule file from a stranger could hang `cleaner rules check` and
`cleaner run` at load time. So the size is estimated from the pattern's structure,
before compiling, and a pattern over MAX_UNROLLED items is refused with a clear error.

The structure comes from the standard library's parser (the `regex`-only syntax is
approximated, e.g. `\\p{L}` as `\\w`). A pattern it cannot parse is judged by its counts
alone: their product, an over-estimate that errs on the side of refusing.
"""

from __future__ import annotations

import math
import re
from typing import Any

try:  # Python 3.11+: the parser behind `re`, which exposes a pattern's structure
    from re import _constants as C
    from re import _parser as sre_parse
except ImportError:  # pragma: no cover - older layout
    import sre_constants as C  # type: ignore[no-redef]
    import sre_parse  # type: ignore[no-redef]

# 100,000 unrolled items compile in about 40 ms; the default rules need a few hundred at most.
MAX_UNROLLED = 100_000

_REGEX_ONLY = [  # regex-module syntax the standard parser does not know, approximated
    (re.compile(r"\\[pP]\{[^}]*\}|\\[pP][A-Za-z]"), r"\\w"),
    (re.compile(r"\\[mM]"), r"\\b"),
    (re.compile(r"\\X"), "."),
    (re.compile(r"\(\?V[01]\)"), ""),
]
_COUNT = re.compile(r"(?<!\\)\{\s*(\d+)\s*(?:,\s*(\d*)\s*)?\}")
_REPEATS = {C.MAX_REPEAT, C.MIN_REPEAT, getattr(C, "POSSESSIVE_REPEAT", C.MAX_REPEAT)}


def unrolled_size(source: str) -> int:
    """About how many items the compiled pattern holds (repeat minimums multiplied out)."""
    for attempt in (source, _approximate(source)):
        try:
            tree = sre_parse.parse(attempt)
        except (re.error, RecursionError, OverflowError, ValueError, TypeError, IndexError):
            continue
        try:
            return _size(list(tree))
        except RecursionError:
            break
    counts = [int(m.group(1)) for m in _COUNT.finditer(source)]
    return len(source) * math.prod(max(1, c) for c in counts)


def too_big(source: str) -> str | None:
    """Why `source` must be refused (its repeats unroll to too many items), or None."""
    size = unrolled_size(source)
    if size <= MAX_UNROLLED:
        return None
    return (
        f"its repeat counts unroll to about {size:,} items when compiled (limit {MAX_UNROLLED:,}), "
        "which would take minutes and gigabytes"
    )


def _approximate(source: str) -> str:
    for pattern, replacement in _REGEX_ONLY:
        source = pattern.sub(replacement, source)
    return source


def _size(items: list[Any]) -> int:
    total = 0
    for op, av in items:
        if op in _REPEATS:
            low, _high, body = av
            total += max(1, low) * _size(list(body))
        elif op == C.SUBPATTERN:
            total += _size(list(av[-1]))
        elif op == getattr(C, "ATOMIC_GROUP", None):
            total += _size(list(av))
        elif op == C.BRANCH:
            total += sum(_size(list(branch)) for branch in av[1])
        elif op in (C.ASSERT, C.ASSERT_NOT):
            total += _size(list(av[1]))
        elif op == C.GROUPREF_EXISTS:
            total += sum(_size(list(part)) for part in av[1:] if part is not None)
        else:
            total += 1
        if total > MAX_UNROLLED * 1000:  # enough to refuse; stop before the numbers grow huge
            return total
    return total
