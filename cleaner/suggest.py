""" "Did you mean …?" for a misspelt name (a kind, a key, a setting, a rule id), by difflib's ratio.

One helper so every message suggests the same way: the closest names (up to three), or nothing
when none is close enough, in which case the caller's list of allowed names stands alone.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def close_names(word: str, choices: Iterable[str], n: int = 3) -> list[str]:
    """The names in `choices` closest to `word` (case-insensitive, '-' and '_' alike), best first."""
    by_key: dict[str, str] = {}
    for c in choices:
        by_key.setdefault(_key(c), c)
    return [by_key[k] for k in difflib.get_close_matches(_key(word), list(by_key), n=n, cutoff=0.6)]


def did_you_mean(word: object, choices: Iterable[str]) -> str:
    """'did you mean 'x'? ' (with a trailing space) or '' — to put in front of a hint."""
    if not isinstance(word, str):
        return ""
    close = close_names(word, choices)
    return f"did you mean {' or '.join(repr(c) for c in close)}? " if close else ""


def _key(name: str) -> str:
    return name.casefold().replace("_", "-")
