"""`cleaner mine`: find the lines that recur across a corpus, group them into families, draft a rule per family.

Why: a rule author's hardest step is knowing what to write. Boilerplate is whatever a
site prints on every page, so it shows as lines that recur across documents — exactly
(`Leave a Reply`), up to digits and case (`12 Comments`), or as a form whose middle
varies (`Follow <anyone> on <network>`, `Photo: <credit>`). Prose does not recur.

How, in one pass over the corpus:

1. Each document is cleaned with the loaded rules first: lines the current rules
   remove are not proposed again.
2. Each remaining line gets its key and templates (`lines.py`); for each template,
   the number of documents holding it is counted (per source with `by`).
3. Each distinct line joins the template that explains it best: the most documents,
   weighted by how much of the line the template spells out, so `Share this:` in
   90 documents stays a family of its own rather than joining `share …`.
   A template counts only if it recurs in `min_docs` documents (of one source) and,
   when it leaves a gap, fills it with at least two different texts.
4. Each family becomes a pattern (`generalise.py`), checked against its own lines,
   and a draft rule with three of them as examples and a look-alike from the corpus
   it must leave alone (`draft.py`).

Memory grows with the corpus's distinct lines: mine a sample (`max_docs`), not a
whole crawl.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import regex

from cleaner.authoring.corpus import CorpusDoc
from cleaner.authoring.generalise import family_pattern, shape
from cleaner.authoring.lines import Key, Template, eligible, gap_text, literal_share, templates, tokenize, words
from cleaner.engine import Pipeline
from cleaner.errors import RuleTimeout

MAX_ORIGINALS = 6  # spellings kept per distinct key, for examples
MAX_STORED_LINES = 200_000  # distinct lines kept to look for look-alikes and over-matches
LOOKALIKE_CHARS = 300  # a longer look-alike is a paragraph: chosen only if nothing shorter shares words


@dataclass
class _Seen:
    """A template in one source: how many documents hold it, and whether two different keys fill it."""

    docs: int = 0
    last_doc: int = -1
    first_key: Key | None = None
    varied: bool = False


@dataclass
class _Line:
    docs: set[int] = field(default_factory=set)
    originals: dict[str, int] = field(default_factory=dict)  # spelling -> occurrences


@dataclass
class Family:
    """One candidate rule: the lines a template explains, and what to write for it."""

    template: Template
    members: dict[tuple[str, Key], _Line]
    pattern: str = ""
    docs: int = 0
    sources: int = 0
    examples: list[str] = field(default_factory=list)
    lookalike: str | None = None
    lookalike_shares: list[str] = field(default_factory=list)  # the family's words the look-alike has
    overmatches: list[str] = field(default_factory=list)  # corpus lines it matches outside the family
    overmatch_count: int = 0
    rule_id: str = ""

    @property
    def shape(self) -> str:
        return shape(self.template)

    @property
    def variants(self) -> int:
        return len({key for _, key in self.members})


@dataclass
class MineReport:
    families: list[Family]
    documents: int = 0
    lines: int = 0  # non-blank lines left after the current rules
    removed_by_rules: int = 0
    timed_out: list[str] = field(default_factory=list)


class Miner:
    """Counts a corpus's lines and templates document by document; `families()` reads the result."""

    def __init__(self, pipeline: Pipeline, min_docs: int = 3):
        self.pipeline = pipeline
        self.min_docs = max(2, min_docs)
        self.seen: dict[tuple[str, Template], _Seen] = {}
        self.keys: dict[tuple[str, Key], _Line] = {}
        self.store: dict[str, None] = {}  # distinct lines of the corpus (insertion-ordered)
        self.report = MineReport([])

    def add(self, doc: CorpusDoc) -> None:
        try:
            result = self.pipeline.apply(doc.text)
        except RuleTimeout as exc:
            self.report.timed_out.append(f"{doc.name}: {exc}")
            return
        n = self.report.documents
        self.report.documents += 1
        self.report.removed_by_rules += sum(e.lines_removed for e in result.edits if e.whole_lines)
        for raw in result.text.split("\n"):
            line = raw.strip()
            if not line:
                continue
            self.report.lines += 1
            if len(self.store) < MAX_STORED_LINES:
                self.store.setdefault(line)
            if not eligible(line):
                continue
            key = tokenize(line).key
            entry = self.keys.setdefault((doc.source, key), _Line())
            entry.docs.add(n)
            if len(entry.originals) < MAX_ORIGINALS or line in entry.originals:
                entry.originals[line] = entry.originals.get(line, 0) + 1
            for template in templates(key):
                seen = self.seen.get((doc.source, template))
                if seen is None:
                    seen = self.seen[(doc.source, template)] = _Seen(first_key=key)
                elif not seen.varied and seen.first_key != key:
                    seen.varied = True
                if seen.last_doc != n:
                    seen.docs += 1
                    seen.last_doc = n

    def families(self) -> list[Family]:
        """Recurring families, most documents first (ties: most variants, then by shape)."""
        groups: dict[Template, dict[tuple[str, Key], _Line]] = defaultdict(dict)
        for (source, key), line in self.keys.items():
            best = self._best_template(source, key)
            if best is not None:
                groups[best][(source, key)] = line
        found: dict[Template, Family] = {}
        for template, members in groups.items():
            if not template.exact and len({key for _, key in members}) == 1:
                (source, key), line = next(iter(members.items()))
                template = Template(key)  # one line after all: say it exactly
            family = found.setdefault(template, Family(template, {}))
            family.members.update(members)
        kept = [f for f in found.values() if self._count(f)]
        kept.sort(key=lambda f: (-f.docs, -f.variants, f.shape))
        return kept

    def _best_template(self, source: str, key: Key) -> Template | None:
        best: tuple[float, int, Template] | None = None
        for template in templates(key):
            seen = self.seen.get((source, template))
            if seen is None or seen.docs < self.min_docs or not (template.exact or seen.varied):
                continue
            score = (seen.docs * literal_share(key, template), len(template.literal), template)
            if best is None or score[:2] > best[:2]:
                best = score
        return None if best is None else best[2]

    def _count(self, family: Family) -> bool:
        """Documents and sources of a family, keeping only sources where it recurs; False if none does."""
        by_source: dict[str, set[int]] = defaultdict(set)
        for (source, _), line in family.members.items():
            by_source[source] |= line.docs
        recurring = {s for s, docs in by_source.items() if len(docs) >= self.min_docs}
        family.members = {k: v for k, v in family.members.items() if k[0] in recurring}
        family.docs = len(set().union(*(by_source[s] for s in recurring))) if recurring else 0
        family.sources = len(recurring)
        return bool(recurring)


def mine(docs: Iterable[CorpusDoc], pipeline: Pipeline, min_docs: int = 3, max_rules: int = 50) -> MineReport:
    """Mine `docs`: the families, with patterns, examples and look-alikes, ready to draft."""
    miner = Miner(pipeline, min_docs)
    for doc in docs:
        miner.add(doc)
    report = miner.report
    finder = LineFinder(list(miner.store))
    for family in miner.families():
        if len(report.families) >= max_rules:
            break
        if describe_family(family, finder):
            report.families.append(family)
    return report


class LineFinder:
    """The corpus's distinct lines, indexed by word, to find look-alikes and over-matches fast."""

    def __init__(self, lines: list[str]):
        self.lines = lines
        self.keys = [tokenize(line).key for line in lines]
        self.index: dict[str, list[int]] = defaultdict(list)
        for i, key in enumerate(self.keys):
            for word in words(key):
                self.index[word].append(i)

    def containing(self, family_words: list[str], limit: int = 5000) -> dict[int, float]:
        """Lines holding any of `family_words`, each scored by the words it holds, a rare word above a
        common or short one (`reply` says more about `Leave a Reply` than `a` does)."""
        shared: dict[int, float] = defaultdict(float)
        for word in family_words:
            postings = self.index.get(word, [])
            weight = (1.0 if len(word) >= 3 else 0.25) / max(1, len(postings))
            for i in postings[:limit]:
                shared[i] += weight
        return shared


def describe_family(family: Family, finder: LineFinder) -> bool:
    """Pattern, examples, look-alike and over-matches of a family; False if no pattern holds its lines."""
    fillers, spellings = [], []
    for key_line in sorted(family.members.values(), key=lambda line: -len(line.docs)):
        for spelling in sorted(key_line.originals, key=lambda s: -key_line.originals[s]):
            spellings.append(spelling)
            if not family.template.exact:
                fillers.append(gap_text(spelling, tokenize(spelling), family.template))
    family.pattern = family_pattern(family.template, fillers)
    compiled = regex.compile(family.pattern)
    matched = [s for s in spellings if compiled.search(s)]
    if not matched:
        return False
    family.examples = _spread(matched, family)
    member_keys = {key for _, key in family.members}
    family_words = words(family.template.literal)
    # Over-matches: lines that match but are not members; they must hold every word of the template.
    rarest = min(family_words, key=lambda w: len(finder.index.get(w, [])), default="")
    for i in finder.index.get(rarest, []):
        if finder.keys[i] not in member_keys and compiled.search(finder.lines[i]):
            family.overmatch_count += 1
            if len(family.overmatches) < 2:
                family.overmatches.append(finder.lines[i])
    family.lookalike, family.lookalike_shares = _lookalike(family_words, compiled, member_keys, finder)
    if family.lookalike is None:
        family.lookalike = _any_other_line(compiled, member_keys, finder, family.examples[0])
    return family.lookalike is not None


def _spread(matched: list[str], family: Family, count: int = 3) -> list[str]:
    """Up to `count` examples, one per distinct key first (the family's variety), then other spellings."""
    chosen: list[str] = []
    keys: set[Key] = set()
    for spelling in matched:
        key = tokenize(spelling).key
        if key not in keys:
            keys.add(key)
            chosen.append(spelling)
    for spelling in matched:
        if spelling not in chosen:
            chosen.append(spelling)
    return chosen[:count]


def _lookalike(
    family_words: list[str], compiled: regex.Pattern[str], member_keys: set[Key], finder: LineFinder
) -> tuple[str | None, list[str]]:
    """The corpus line that shares most of the family's words yet does not match: prose, ideally."""
    best: tuple[tuple[bool, float, int, int], int] | None = None
    for i, shared in finder.containing(family_words).items():
        line = finder.lines[i]
        if finder.keys[i] in member_keys or compiled.search(line):
            continue
        prose = 1 if len(line.split()) >= 6 and line[-1] in '.!?"”»)' else 0
        # a sentence, not a whole paragraph: an example a reviewer reads at a glance
        rank = (len(line) <= LOOKALIKE_CHARS, shared, prose, -abs(len(line) - 90))
        if best is None or rank > best[0]:
            best = (rank, i)
    if best is None:
        return None, []
    key = finder.keys[best[1]]
    return finder.lines[best[1]], [w for w in family_words if w in words(key)]


def _any_other_line(
    compiled: regex.Pattern[str], member_keys: set[Key], finder: LineFinder, example: str
) -> str | None:
    """A look-alike when no corpus line shares a word with the family: another corpus line (prose first),
    else the example inside a sentence, which an anchored pattern must leave alone."""
    fallback = None
    for i, line in enumerate(finder.lines[:5000]):
        if finder.keys[i] in member_keys or compiled.search(line):
            continue
        if len(line.split()) >= 6:
            return line
        fallback = fallback or line
    if fallback is not None:
        return fallback
    sentence = f"The page said {example!r} at the top, readers noted."
    return None if compiled.search(sentence) else sentence
