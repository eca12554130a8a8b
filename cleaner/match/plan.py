"""The compiled match plan: one scan per document tells each line rule its candidate lines.

Every line rule (drop_line, strip_span, replace, drop_block's start) adds its pattern
to the pipeline's plan and gets a slot. The plan translates the patterns into supersets
the scanner can run (`cleaner.match.translate`) and compiles them into one database
(`cleaner.match.scanner`, cached on disk by `cleaner.match.cache`). `candidates(text)`
scans the text once and lists, per slot, the lines holding a match: only rules with
candidates run (the engine skips the rest), only on those lines, and the rule's own
`regex` pattern confirms every line, so the results are exactly the plain path's.

The plan remembers, per document, which slots each distinct line matched; when a rule
edits the text, only the lines the edit created are scanned again, in later passes too.

A slot answers None ("any line may match": the rule looks at every line, behind its
whole-text gate) when its pattern could not be translated or compiled, and every slot
does for a text the scanner cannot judge exactly: one holding a character whose case
`regex` equates with an ASCII letter (İ, ſ, K; the scanner's classes leave them out)
or a lone surrogate (not UTF-8). Where Hyperscan has no wheel, the plan is never built:
one notice, and every line rule takes the plain path.
"""

from __future__ import annotations

import sys
import time
import unicodedata
from operator import itemgetter
from typing import Any

import regex

from cleaner.kinds.base import StepContext, text_lines
from cleaner.match import cache, scanner
from cleaner.match.translate import ODDITIES, VERSION, Untranslatable, translations

Candidates = list[tuple[int, int, int]]  # (line index, start, end) of the lines a rule may match

LONG = 4000  # characters of a translation past which it is first compiled on its own
_notified = False
_END = itemgetter(1)


class MatchPlan:
    """The line-rule patterns of one pipeline, compiled on first use into scanners.

    Patterns are added in groups (the loader makes one per layer of rule files), each
    compiled and cached as its own database: the default rules' scanner is built once
    per machine, and changing a user rule recompiles only the user layer's few patterns.
    """

    def __init__(self) -> None:
        self.patterns: list[tuple[str, int]] = []  # per slot: (pattern source, flags)
        self.groups: list[int] = []  # per slot: its group
        self.group = 0  # the group `add` puts new slots in
        self.key = object()  # its entries in StepContext.memo
        self.line_key = object()
        self._scanners: list[tuple[Any, list[int]]] | None = None  # (scanner, its slot numbers)
        self._planned: list[bool] = []  # per slot: whether a scanner runs its pattern
        self._nothing: list[Candidates | None] = []  # the answer for a text with no candidates (not to be changed)
        self.build_seconds = 0.0  # CPU time the last build took compiling (0 when all came from the cache)

    def add(self, pattern: regex.Pattern[str]) -> int:
        """A slot for a rule that matches its pattern against each line on its own."""
        self.patterns.append((pattern.pattern, pattern.flags))
        self.groups.append(self.group)
        self._scanners = None
        return len(self.patterns) - 1

    def __getstate__(self) -> dict[str, Any]:
        return {**self.__dict__, "_scanners": None}  # rebuilt (or loaded) where used

    # -- building -----------------------------------------------------------------------
    def ready(self) -> bool:
        """Build the scanners if needed; False when there are none (no wheel, nothing planned)."""
        if self._scanners is None:
            self._build()
        return bool(self._scanners)

    def planned(self, slot: int) -> bool:
        return self.ready() and self._planned[slot]

    def _build(self) -> None:
        self._scanners = []
        self._planned = [False] * len(self.patterns)
        if not self.patterns or not scanner.available():
            if self.patterns:
                _notify()
            return
        self.build_seconds = 0.0
        for group in sorted(set(self.groups)):
            slots = [i for i, g in enumerate(self.groups) if g == group]
            built, planned = _group([self.patterns[i] for i in slots])
            self.build_seconds += built[1]
            if built[0] is not None:
                self._scanners.append((built[0], slots))
            for slot, ok in zip(slots, planned, strict=True):
                self._planned[slot] = ok
        self._nothing = [[] if p else None for p in self._planned]

    # -- scanning -----------------------------------------------------------------------
    def candidates(self, text: str, ctx: StepContext) -> list[Candidates | None] | None:
        """Per slot, the lines whose scan found a match, in order (None for an unplanned
        slot); None when the text takes the exact path."""
        cached = ctx.memo.get(self.key)
        if cached is not None and cached[0] is text:
            return cached[1]
        found = self._find(text, ctx) if self.ready() else None
        ctx.memo[self.key] = (text, found)
        return found

    def _find(self, text: str, ctx: StepContext) -> list[Candidates | None] | None:
        if not text.isascii() and any(c in text for c in ODDITIES):
            return None
        lines = text_lines(text, ctx)
        known: dict[str, tuple[int, ...]] = ctx.memo.setdefault(self.line_key, {})  # line -> its slots
        new = [line for line in dict.fromkeys(lines) if line not in known]
        if new and not self._scan(new, known):
            return None
        per_line = list(map(known.__getitem__, lines))
        if not any(per_line):
            return self._nothing
        found: list[Candidates | None] = [[] if p else None for p in self._planned]
        pos = 0
        for i, (line, slots) in enumerate(zip(lines, per_line, strict=True)):
            if slots:
                span = (i, pos, pos + len(line))
                for slot in slots:
                    found[slot].append(span)  # type: ignore[union-attr]
            pos += len(line) + 1
        return found

    def _scan(self, new: list[str], known: dict[str, tuple[int, ...]]) -> bool:
        """Scan `new` lines and record, per line, the slots whose pattern matched in it;
        False when they are not UTF-8 (a lone surrogate: the scanner cannot read them)."""
        try:  # a newline before and after every line: `(?:^|x)` in a pattern is `(?:\n|x)` for the scanner
            data = ("\n" + "\n".join(new) + "\n").encode()
        except UnicodeEncodeError:
            return False
        known.update(dict.fromkeys(new, ()))
        hits: dict[int, set[int]] = {}
        for compiled, slots in self._scanners or ():
            newlines = pos = 0
            for index, end in sorted(compiled.scan(data), key=_END):
                # a match belongs to the line of its last byte (the newline after a line counts as the line's)
                newlines += data.count(b"\n", pos, end - 1)
                pos = end - 1
                if newlines:
                    hits.setdefault(newlines - 1, set()).add(slots[index])
        for line, found in hits.items():
            known[new[line]] = tuple(sorted(found))
        return True


def _group(patterns: list[tuple[str, int]]) -> tuple[tuple[Any, float], list[bool]]:
    """((scanner or None, CPU seconds spent compiling), per pattern: planned) for one group,
    from the cache when it holds them."""
    name = cache.key([VERSION, scanner.version(), regex.__version__, unicodedata.unidata_version, patterns])
    entry = cache.load(name)
    if entry is not None:
        try:
            return (scanner.Scanner.load(entry[1]), 0.0), [bool(x) for x in entry[0]["planned"]]
        except Exception:  # a stale or damaged entry: rebuild
            pass
    started = time.process_time()
    sources = []
    for pattern in patterns:
        try:
            source: str | None = translations(regex.compile(*pattern))[0]
        except Untranslatable:
            source = None
        # a very long translation may be too large for the scanner: try those alone first
        sources.append(_accepted(pattern, source) if source and len(source) > LONG else source)
    if not any(sources):
        return (None, time.process_time() - started), [False] * len(patterns)
    try:
        compiled = scanner.Scanner.compile([(i, s) for i, s in enumerate(sources) if s])
    except Exception:  # some pattern the scanner rejects: find it, use a shorter superset or none
        sources = [_accepted(patterns[i], s) if s else None for i, s in enumerate(sources)]
        if not any(sources):
            return (None, time.process_time() - started), [False] * len(patterns)
        compiled = scanner.Scanner.compile([(i, s) for i, s in enumerate(sources) if s])
    planned = [s is not None for s in sources]
    cache.store(name, {"planned": planned}, compiled.dump())
    return (compiled, time.process_time() - started), planned


def _accepted(pattern: tuple[str, int], full: str) -> str | None:
    """The most precise translation of `pattern` the scanner accepts, or None."""
    if scanner.Scanner.accepts(full):
        return full
    try:
        shorter = translations(regex.compile(*pattern))[1:]
    except Untranslatable:
        return None
    return next((s for s in shorter if scanner.Scanner.accepts(s)), None)


def _notify() -> None:
    global _notified
    if not _notified:
        _notified = True
        print(
            "cleaner: notice: hyperscan is not available here; line rules take the plain path (same results, slower)",
            file=sys.stderr,
        )
