"""Near-miss explain: why did a line-pattern rule *not* fire on a line?

`cleaner explain FILE --rule ID` ranks the lines of FILE by how close they came to
firing the rule, using two measures from the `regex` module:

- **where the match broke off** (partial matching): the longest prefix of the line the
  pattern still accepts (`search(line[:k], partial=True)` reaches the end of the prefix),
  found by bisection, so the report can point at the first character that did not fit;
- **how many edits away** it is (fuzzy matching): `(?:pattern){e<=N}` with BESTMATCH gives
  the fewest substitutions, insertions and deletions that would make the line match.

For a pattern anchored at the line start (`^`), a line that carries the whole match
after some other text (`…on Monday. Photo: Reuters` for a caption-credit pattern) is
the obvious near miss, yet both measures above see only its first characters. So the
pattern is also tried from every word start of the line: a complete match there ranks
right after the lines the pattern matches as they are, and otherwise the longest
stretch accepted from any word start counts as how far the line got.

Lines are ranked: the pattern matches (and the reason it was kept); the whole pattern
matches past the line start; within reach of the fuzzy measure (fewest edits, then the
longest stretch); the longest stretch.

A line whose pattern does match but which the rule still left alone is reported with
the reason: `unless` matched, the line is outside `first_lines`/`last_lines`, a block
had no end within `max_lines`. Every regex call has a timeout and the whole search a
time budget, so a pathological pattern cannot hang `explain`.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, replace

import regex

from cleaner.kinds import KINDS
from cleaner.kinds.base import Rule, Step, in_scope_lines, line_spans

PRIMARY = ("pattern", "start")  # the setting whose pattern decides whether a rule fires on a line
_ANCHORED = regex.compile(r"^(?:\(\?[a-zA-Z]+\))*(?:\^|\\A)")  # leading inline flags, then ^ or \A
_WORD_START = regex.compile(r"(?<=[^\p{L}\p{N}])[\p{L}\p{N}(]")


class NotApplicable(ValueError):
    """The rule has no line pattern to compare lines with (e.g. fix_encoding)."""


@dataclass(frozen=True)
class NearMiss:
    line: int  # 1-based line of the text
    text: str
    start: int  # where the closest attempt started in the line
    reached: int  # where it broke off: text[start:reached] was accepted, text[reached] was not
    errors: tuple[int, int, int] | None = None  # fuzzy (substitutions, insertions, deletions), if within reach
    reason: str = ""  # set when the pattern matches but the rule did not fire
    changes: tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...]] = ((), (), ())  # fuzzy edit positions
    past_anchor: bool = False  # the whole pattern matches text[start:reached], but not from the line start

    @property
    def matched(self) -> int:
        return self.reached - self.start

    @property
    def distance(self) -> int | None:
        return sum(self.errors) if self.errors is not None else None

    def rank(self, max_errors: int) -> tuple[int, int, int, int]:
        """Closest first: matches, whole matches past the anchor, fuzzy reach, then the longest stretch."""
        if self.reason:
            return (0, 0, -self.matched, self.line)
        if self.past_anchor:
            return (1, 0, -self.matched, self.line)
        if self.distance is not None:
            return (2, self.distance, -self.matched, self.line)
        return (3, max_errors + 1, -self.matched, self.line)


@dataclass(frozen=True)
class NearMissReport:
    setting: str  # which setting's pattern was compared: pattern or start
    source: str  # that pattern as written in the rule file
    misses: list[NearMiss]
    fired: list[int]  # lines where the rule did fire
    scanned: int  # lines looked at
    total: int  # lines in the text
    out_of_time: bool = False


def near_misses(
    rule: Rule,
    step: Step,
    text: str,
    *,
    fired: Sequence[int] = (),
    limit: int = 5,
    max_errors: int = 3,
    timeout: float = 0.25,
    budget: float = 5.0,
) -> NearMissReport:
    """The `limit` lines of `text` that came closest to firing `rule` (skipping lines in `fired`)."""
    setting = line_pattern_setting(rule)
    pattern = getattr(step, setting or "", None)
    if setting is None or not isinstance(pattern, regex.Pattern):
        raise NotApplicable(no_pattern_sentence(rule))
    anchored = _ANCHORED.match(pattern.pattern) is not None
    deadline = time.monotonic() + budget
    spans = line_spans(text)
    in_scope = set(in_scope_lines(text, spans, rule.settings.get("first_lines", 0), rule.settings.get("last_lines", 0)))
    skip = set(fired)
    found: list[NearMiss] = []
    scanned = 0
    out_of_time = False
    for i, (s, e) in enumerate(spans):
        if time.monotonic() > deadline:
            out_of_time = True
            break
        scanned += 1
        line = text[s:e]
        if i + 1 in skip or not line.strip():
            continue
        try:
            full = pattern.search(line, timeout=timeout)
            if full is not None:
                why = _reason(rule, step, line, i in in_scope, timeout)
                found.append(NearMiss(i + 1, line, full.start(), full.end(), (0, 0, 0), why))
                continue
            start, reached = _broke_off(pattern, line, timeout)
            if anchored and reached < len(line):
                later = _past_anchor(pattern, line, reached - start, timeout)
                if later is not None:
                    found.append(replace(later, line=i + 1))
                    continue
        except TimeoutError:
            continue
        if reached > start:
            found.append(NearMiss(i + 1, line, start, reached))
    found.sort(key=lambda m: -m.matched)  # the costlier fuzzy measure first for the lines that got furthest
    fuzzy = _fuzzy(pattern, max_errors)
    if fuzzy is not None:
        for n, miss in enumerate(found):
            if time.monotonic() > deadline:
                out_of_time = True
                break
            if miss.errors is None and not miss.past_anchor:
                found[n] = _with_errors(miss, fuzzy, timeout)
    found.sort(key=lambda m: m.rank(max_errors))
    return NearMissReport(
        setting, rule.settings[setting], found[:limit], sorted(skip), scanned, len(spans), out_of_time
    )


def line_pattern_setting(rule: Rule) -> str | None:
    """The setting whose pattern decides whether `rule` fires on a line, read from its kind's declared
    settings (a kind may compile other patterns internally, e.g. dedupe_words from its word list)."""
    declared = KINDS[rule.kind].settings
    return next((s for s in PRIMARY if s in declared and declared[s].type == "pattern" and rule.settings.get(s)), None)


def no_pattern_sentence(rule: Rule) -> str:
    """Why `explain --rule` has no near misses to rank for a kind without a line pattern, and what helps instead."""
    declared = KINDS[rule.kind].settings
    knobs = ", ".join(f"`{name}`" for name in declared) or "none"
    return (
        f"{rule.id} is a {rule.kind} rule: it has no line pattern of its own to compare lines with, so there are "
        f"no near misses to rank (its settings: {knobs}). `cleaner explain FILE` lists the edits it makes; "
        f"`cleaner rules show {rule.id}` shows its settings and examples."
    )


def _past_anchor(pattern: regex.Pattern[str], line: str, best: int, timeout: float) -> NearMiss | None:
    """For a pattern anchored at the line start: the first word start from which the whole pattern
    matches the rest of the line, or else the longest stretch accepted from a word start (if longer
    than `best`, the stretch accepted from the line start). Returns a NearMiss with line 0."""
    longest: tuple[int, int] | None = None
    for w in _WORD_START.finditer(line):
        at = w.start()
        if len(line) - at <= best:
            break
        rest = line[at:]
        m = pattern.search(rest, timeout=timeout)
        if m is not None:
            return NearMiss(0, line, at + m.start(), at + m.end(), past_anchor=True)
        start, reached = _broke_off(pattern, rest, timeout)
        if reached - start > best:
            best, longest = reached - start, (at + start, at + reached)
    return NearMiss(0, line, *longest) if longest else None


def _broke_off(pattern: regex.Pattern[str], line: str, timeout: float) -> tuple[int, int]:
    """(start, k): the longest prefix line[:k] the pattern still accepts up to its end.

    Accepting a prefix is monotone (a prefix of an acceptable prefix is acceptable), so
    bisection finds k in O(log n) partial searches.
    """
    lo, hi, start = 0, len(line), 0
    while lo < hi:
        mid = (lo + hi + 1) // 2
        m = pattern.search(line[:mid], partial=True, timeout=timeout)
        if m is not None and m.end() == mid and m.start() < mid:
            lo, start = mid, m.start()
        else:
            hi = mid - 1
    return start, lo


def _fuzzy(pattern: regex.Pattern[str], max_errors: int) -> regex.Pattern[str] | None:
    try:
        return regex.compile(f"(?:{pattern.pattern}){{e<={max_errors}}}", pattern.flags | regex.BESTMATCH)
    except regex.error:
        return None  # e.g. global inline flags that cannot be wrapped: partial matching still works


def _with_errors(miss: NearMiss, fuzzy: regex.Pattern[str], timeout: float) -> NearMiss:
    try:
        m = fuzzy.search(miss.text, timeout=timeout)
    except TimeoutError:
        return miss
    if m is None:
        return miss
    changes = tuple(tuple(c) for c in m.fuzzy_changes)
    return replace(miss, errors=tuple(m.fuzzy_counts), changes=changes)


def _reason(rule: Rule, step: Step, line: str, in_scope: bool, timeout: float) -> str:
    """Why a line the pattern matches was still left alone."""
    s = rule.settings
    if not in_scope:
        scope = f"first_lines={s.get('first_lines', 0)}, last_lines={s.get('last_lines', 0)}"
        return f"the pattern matches, but the line is outside the rule's scope ({scope})"
    unless = getattr(step, "unless", None)
    if isinstance(unless, regex.Pattern) and (m := unless.search(line, timeout=timeout)):
        return (
            f"the pattern matches, but so does `unless` (at col {m.start() + 1}: {m.group()!r}), which keeps the line"
        )
    if rule.kind == "drop_block":
        end = "no end marker" if s.get("end") else "the text ends"
        return f"the start pattern matches, but {end} within max_lines={s['max_lines']} non-blank lines"
    return "the pattern matches the line as written: an earlier rule changed or removed it before this one ran"


def format_report(report: NearMissReport, rule: Rule, name: str, width: int = 100) -> str:
    """The report as `cleaner explain FILE --rule ID` prints it, invisible characters shown."""
    out = [f"{rule.id} ({rule.kind}) on {name}", f"{report.setting}: {report.source}"]
    if report.fired:
        out.append(f"fired on line(s) {', '.join(map(str, report.fired))}; closest of the other lines:")
    else:
        out.append("did not fire; closest lines:")
    if not report.misses:
        out.append("  (no line gets past the pattern's first character)")
    for m in report.misses:
        out.append(f"  {name}:{m.line}  {_headline(m)}")
        out.extend(f"      {row}" for row in _marked(m, width))
        if m.distance:
            out.append(f"      fuzzy: {_changes(m)}")
    if report.out_of_time:
        out.append(f"(stopped early: time budget spent; {report.scanned} of {report.total} lines scanned)")
    return "\n".join(out)


def format_not_applicable(rule: Rule, name: str, fired: Sequence[int], sentence: str) -> str:
    """What `explain --rule` prints for a rule without a line pattern: where it fired, and why no near misses."""
    where = f"fired on line(s) {', '.join(map(str, fired))}" if fired else "did not fire"
    return "\n".join([f"{rule.id} ({rule.kind}) on {name}", where, sentence])


def _headline(m: NearMiss) -> str:
    if m.reason:
        return m.reason
    if m.past_anchor:
        return (
            f"the whole pattern matches col {m.start + 1}–{m.reached}, but it is anchored at the line start: "
            f"the text before col {m.start + 1} keeps the line"
        )
    if m.reached == len(m.text):
        head = f"the line fits the pattern from col {m.start + 1} to its end, but ends before the pattern is complete"
    else:
        head = f"matched col {m.start + 1}–{m.reached}, broke off at col {m.reached + 1}"
    if m.distance is not None:
        subs, ins, dels = m.errors or (0, 0, 0)
        head += f"; {m.distance} edit(s) from a match ({subs} substituted, {ins} extra, {dels} missing)"
    return head


def _marked(m: NearMiss, width: int) -> list[str]:
    """The line (a window around the break-off point if long) and a caret under that point."""
    from cleaner.visible import show

    lo = 0
    hi = len(m.text)
    if len(show(m.text)) > width:
        lo = max(0, m.reached - width * 2 // 3)
        hi = min(len(m.text), lo + width)
    text = ("…" if lo else "") + show(m.text[lo:hi]) + ("…" if hi < len(m.text) else "")
    caret = len(("…" if lo else "") + show(m.text[lo : m.reached]))
    if m.reason or m.past_anchor:
        label = "matched up to here"
    elif m.reached == len(m.text):
        label = "the line ends here; the pattern wants more"
    else:
        label = "match broke off here"
    return [text, " " * caret + "^ " + label]


def _changes(m: NearMiss) -> str:
    from cleaner.visible import show

    subs, ins, dels = m.changes
    parts = [f"col {p + 1} {show(m.text[p])!r} substituted" for p in subs]
    parts += [f"col {p + 1} {show(m.text[p])!r} extra" for p in ins]
    parts += [f"a character missing before col {p + 1}" for p in dels]
    return "; ".join(parts)
