"""Compiling rule patterns: shared word lists, the `regex` module, and sanity checks.

Patterns may reference a shared list as `{{name}}`; it expands to a non-capturing
group. A list given as an array of strings is a set of literal words (escaped, longest
first so alternation prefers the longest); a list given as a string is a regex fragment.
"""

from __future__ import annotations

from collections.abc import Mapping

import regex

from cleaner.pattern_size import too_big

LIST_REF = regex.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")

# Default budget for one regex call on one line or text. Generous for sane patterns
# (microseconds), small enough that a catastrophic one cannot stall a corpus run.
DEFAULT_TIMEOUT = 2.0


class PatternError(ValueError):
    """A pattern is unusable; the message says why and is shown with the rule's location."""


def list_fragment(value: str | list[str]) -> str:
    if isinstance(value, str):
        return value
    words = sorted(set(value), key=lambda w: (-len(w), w))
    return "|".join(regex.escape(w) for w in words)


MAX_LIST_DEPTH = 4


def expand_lists(source: str, lists: Mapping[str, str]) -> str:
    """Replace `{{name}}` references; a regex-fragment list may itself use other lists."""

    def sub(m: regex.Match[str]) -> str:
        name = m.group(1)
        if name not in lists:
            known = ", ".join(sorted(lists)) or "none declared"
            raise PatternError(f"unknown list {{{{{name}}}}} (known lists: {known})")
        return f"(?:{lists[name]})"

    for _ in range(MAX_LIST_DEPTH):
        expanded = LIST_REF.sub(sub, source)
        if expanded == source:
            return expanded
        source = expanded
    if LIST_REF.search(source):
        raise PatternError(f"lists nest deeper than {MAX_LIST_DEPTH} levels (or refer to each other)")
    return source


def compile_pattern(source: str, lists: Mapping[str, str], *, allow_empty: bool = False) -> regex.Pattern[str]:
    """Compile a rule pattern, refusing ones that would match everywhere."""
    expanded = expand_lists(source, lists)
    problem = too_big(expanded)
    if problem is not None:
        raise PatternError(f"{problem}; use a range with a small minimum ({{0,80}}) or a smaller count")
    try:
        pattern = regex.compile(expanded)
    except regex.error as exc:
        raise PatternError(f"regex does not compile: {exc}") from None
    if not allow_empty and pattern.fullmatch("") is not None:
        raise PatternError("regex matches the empty string, so it would fire on every blank line or position")
    return pattern


UNSAFE_FOR_PREFILTER = regex.compile(r"\\[AZz]|\(\?[a-zA-Z]*-[a-zA-Z]*m")


def line_prefilter(pattern: regex.Pattern[str]) -> regex.Pattern[str] | None:
    """A whole-text version of a per-line pattern that can only over-match.

    Searching the whole text once (in C) tells whether any line can match, which
    spares the per-line loop for the many texts where a rule has nothing to do. In
    MULTILINE mode `^`/`$` hold at every line boundary, and every other construct sees
    a newline where the line's end was, which can only allow more matches. Patterns
    with `\\A`, `\\Z`, `\\z` or that switch MULTILINE off get no prefilter.
    """
    if UNSAFE_FOR_PREFILTER.search(pattern.pattern):
        return None
    return regex.compile(pattern.pattern, pattern.flags | regex.MULTILINE)
