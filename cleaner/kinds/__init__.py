"""The fixed registry of rule kinds. A new kind is a new module here plus its tests."""

from __future__ import annotations

from cleaner.kinds import (
    dedupe_words,
    drop_block,
    drop_line,
    fix_accents,
    fix_encoding,
    normalize_whitespace,
    replace,
    strip_span,
)
from cleaner.kinds.base import Kind

KINDS: dict[str, Kind] = {
    m.KIND.name: m.KIND
    for m in (
        drop_line,
        strip_span,
        replace,
        drop_block,
        fix_encoding,
        fix_accents,
        dedupe_words,
        normalize_whitespace,
    )
}

__all__ = ["KINDS", "Kind"]
