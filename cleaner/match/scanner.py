"""The multi-pattern scanner: Hyperscan, one compiled database for all planned patterns.

Chosen by measurement (docs/engine.md): on the bench corpus, with the default rules'
patterns as translated by `cleaner.match.translate`, one Hyperscan scan of a document
costs about 55 µs (60-80 MB per CPU second) and reports where each pattern matches;
google-re2's `Set` only says which patterns match, so finding the lines takes a second
search per pattern. The database is compiled in UTF-8 mode (classes are code points)
with MULTILINE (`^`/`$` at line ends); each pattern reports the end offset of every match.

`hyperscan` is imported where used: where it has no wheel, `available()` is False and
the engine takes the plain path (see `cleaner.match.plan`).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Any


def available() -> bool:
    try:
        import hyperscan  # noqa: F401
    except ImportError:
        return False
    return True


def version() -> str:
    import hyperscan

    return str(getattr(hyperscan, "__version__", "?"))


class Scanner:
    """A compiled database of patterns, each under the id given; `scan` lists (id, end byte offset)."""

    def __init__(self, db: Any):
        import hyperscan

        self._db = db
        self._scratch = hyperscan.Scratch(db)
        self._local = threading.local()  # scratch space is per thread: a pipeline may serve several

    @classmethod
    def compile(cls, patterns: Sequence[tuple[int, str]]) -> Scanner:
        import hyperscan

        flags = hyperscan.HS_FLAG_UTF8 | hyperscan.HS_FLAG_MULTILINE
        db = hyperscan.Database()
        db.compile(
            expressions=[source.encode() for _, source in patterns],
            ids=[i for i, _ in patterns],
            elements=len(patterns),
            flags=[flags] * len(patterns),
        )
        return cls(db)

    @staticmethod
    def accepts(source: str) -> bool:
        """Whether the scanner compiles `source` on its own (some are too large, or unsupported)."""
        try:
            Scanner.compile([(0, source)])
        except Exception:  # hyperscan.error: unsupported construct, pattern too large...
            return False
        return True

    def dump(self) -> bytes:
        import hyperscan

        return bytes(hyperscan.dumpb(self._db))

    @classmethod
    def load(cls, data: bytes) -> Scanner:
        import hyperscan

        return cls(hyperscan.loadb(data, hyperscan.HS_MODE_BLOCK))

    def scan(self, data: bytes) -> list[tuple[int, int]]:
        hits: list[tuple[int, int]] = []
        add: Callable[[tuple[int, int]], None] = hits.append
        scratch = getattr(self._local, "scratch", None)
        if scratch is None:
            scratch = self._local.scratch = self._scratch.clone()
        self._db.scan(data, match_event_handler=lambda i, _start, end, _flags, _ctx: add((i, end)), scratch=scratch)
        return hits
