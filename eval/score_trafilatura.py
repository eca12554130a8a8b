"""Score trafilatura alone, and trafilatura + cleaner, on trafilatura's own evaluation pages.

    python eval/score_trafilatura.py            # or: make eval

The data (990 annotated pages, see its SOURCE.md) lies in `../shared/eval/trafilatura/`
relative to the repository root. Scoring follows trafilatura's evaluation: whitespace
is collapsed in the text and in each annotation, and annotations are matched as
substrings. A `with` string found is a true positive, one missing a false negative;
a `without` string found is a false positive, one absent a true negative.

Two rows are scored: the text trafilatura extracts with the `[extract]` settings of
cleaner's rule set, and that same text after cleaner's rules. Both use the same
extraction (done once per page), so the difference between the rows is the rules'.
Files for rule authors go to `eval/out/` (see `write_reports`).
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import os
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import regex

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = ROOT.parent / "shared" / "eval" / "trafilatura"
DEFAULT_OUT = ROOT / "eval" / "out"
LANGUAGES = ("de", "en", "es", "fr", "pl")
OTHER_LANGUAGES = ("it", "pt", "nl", "fi", "sv", "nb", "hu", "tr", "cs")  # so their pages are not forced into the five
WHITESPACE = regex.compile(r"\s+")
WORD = regex.compile(r"\p{L}+")


def collapse(text: str) -> str:
    """Whitespace runs (any kind, including NBSP and newlines) become one space."""
    return WHITESPACE.sub(" ", text).strip()


@dataclass
class Counts:
    tp: int = 0
    fn: int = 0
    fp: int = 0
    tn: int = 0

    def __add__(self, other: Counts) -> Counts:
        return Counts(self.tp + other.tp, self.fn + other.fn, self.fp + other.fp, self.tn + other.tn)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class PageScore:
    counts: Counts
    lost: list[str] = field(default_factory=list)  # `with` strings missing from the text
    leaked: list[str] = field(default_factory=list)  # `without` strings present in the text


def score_page(text: str, with_: Iterable[str], without: Iterable[str]) -> PageScore:
    """Score one page's text against its annotations (trafilatura's rule, whitespace collapsed)."""
    flat = collapse(text)
    score = PageScore(Counts())
    for s in with_:
        if collapse(s) in flat:
            score.counts.tp += 1
        else:
            score.counts.fn += 1
            score.lost.append(s)
    for s in without:
        if collapse(s) in flat:
            score.counts.fp += 1
            score.leaked.append(s)
        else:
            score.counts.tn += 1
    return score


# --- language of a page -------------------------------------------------------------

TLD_LANGUAGE = {
    "de": "de", "at": "de", "ch": "de", "pl": "pl", "fr": "fr", "es": "es", "ar": "es", "mx": "es", "pe": "es",
    "cl": "es", "co": "es", "py": "es", "uy": "es", "ve": "es", "gt": "es", "cr": "es", "sv": "es", "pa": "es",
    "ni": "es", "hn": "es", "ec": "es", "bo": "es", "do": "es", "uk": "en", "ie": "en", "us": "en", "jm": "en",
    "bz": "en", "bb": "en", "tt": "en", "au": "en", "nz": "en", "ca": "en",
}  # fmt: skip


def function_words() -> dict[str, frozenset[str]]:
    """Each language's 200 most frequent words (wordfreq's lists); a word may count for several."""
    from wordfreq import top_n_list

    return {lang: frozenset(top_n_list(lang, 200)) for lang in (*LANGUAGES, *OTHER_LANGUAGES)}


def page_language(item: Mapping, text: str, words: Mapping[str, frozenset[str]]) -> str:
    """The language of a page, by the distinctive frequent words of its main text.

    Counted over the annotators' `with` strings plus the text trafilatura extracted
    (the same for both rows), so even pages with terse annotations have enough words.
    When no language clearly wins, the URL's country domain decides; pages in none of
    the five languages are "other".
    """
    sample = " ".join(item["with"]) + " " + text[:20_000]
    tokens = [w.lower() for w in WORD.findall(sample)]
    hits = Counter({lang: sum(t in vocab for t in tokens) for lang, vocab in words.items()})
    (first, n1), (_, n2) = hits.most_common(2)
    lang = first if n1 >= 3 and 2 * n1 >= 3 * n2 else tld_language(item)
    return lang if lang in LANGUAGES else "other"


def tld_language(item: Mapping) -> str:
    """The language a page's country domain suggests ("hard::" entries: the file is named after the site)."""
    host = urlsplit(item.get("url", "")).hostname or item["file"]
    for part in reversed(regex.split(r"[.\-_]", host.lower())):
        if part in TLD_LANGUAGE:
            return TLD_LANGUAGE[part]
    return "other"


# --- running the pages ----------------------------------------------------------------

_PIPELINE = None


def _init_worker(rules: Sequence[str], defaults: bool) -> None:
    global _PIPELINE
    from cleaner.ruleset import load_rules

    _PIPELINE = load_rules(rules, defaults=defaults)


def extract_one(path: str) -> tuple[str, str]:
    """(extracted text, problem) for one gzipped page; an unusable page extracts to ''."""
    from cleaner.errors import InputProblem
    from cleaner.io.html import extract_html

    assert _PIPELINE is not None
    data = gzip.decompress(Path(path).read_bytes())
    try:
        return extract_html(data, _PIPELINE.extract), ""
    except InputProblem as exc:
        return "", str(exc)


def clean_one(text: str) -> tuple[str, list[tuple[str, str]]]:
    """Cleaned text and the (rule id, removed text) of each edit that removed something."""
    assert _PIPELINE is not None
    result = _PIPELINE.apply(text)
    return result.text, [(e.rule_id, e.before) for e in result.edits if e.before.strip()]


def cache_key(pipeline, data_dir: Path) -> str:
    import trafilatura

    blob = json.dumps([asdict(pipeline.extract), trafilatura.__version__, str(data_dir.resolve())], sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def run_pages(items: list[dict], data_dir: Path, out: Path, args) -> tuple[list[str], list[str], list[list]]:
    from cleaner.ruleset import load_rules

    pipeline = load_rules(args.rules, defaults=not args.no_default_rules)
    paths = [str(data_dir / "pages" / f"{it['file']}.gz") for it in items]
    cache = out / f"extracted-{cache_key(pipeline, data_dir)}.json.gz"
    init = (_init_worker, (args.rules, not args.no_default_rules))
    with ProcessPoolExecutor(args.workers, initializer=init[0], initargs=init[1]) as pool:
        if args.cache and cache.exists():
            extracted = json.loads(gzip.decompress(cache.read_bytes()))
        else:
            extracted = list(pool.map(extract_one, paths, chunksize=8))
            if args.cache:
                out.mkdir(parents=True, exist_ok=True)
                cache.write_bytes(gzip.compress(json.dumps(extracted).encode()))
        cleaned = list(pool.map(clean_one, [t for t, _ in extracted], chunksize=8))
    problems = [p for _, p in extracted]
    for it, problem in zip(items, problems, strict=True):
        if problem:
            print(f"note: {it['file']}: {problem}", file=sys.stderr)
    return [t for t, _ in extracted], [t for t, _ in cleaned], [e for _, e in cleaned]


# --- reporting -------------------------------------------------------------------------


def table(name: str, scores: Sequence[PageScore], langs: Sequence[str]) -> list[str]:
    by_lang: dict[str, Counts] = defaultdict(Counts)
    pages: Counter[str] = Counter()
    for s, lang in zip(scores, langs, strict=True):
        by_lang[lang] = by_lang[lang] + s.counts
        pages[lang] += 1
    total = sum((s.counts for s in scores), Counts())
    lines = [f"{name}", f"  {'':<8}{'pages':>6}{'tp':>6}{'fn':>6}{'fp':>6}{'precision':>11}{'recall':>8}{'F1':>8}"]
    rows = [("all", len(scores), total)] + [
        (lang, pages[lang], by_lang[lang]) for lang in (*LANGUAGES, "other") if pages[lang]
    ]
    for label, n, c in rows:
        lines.append(f"  {label:<8}{n:>6}{c.tp:>6}{c.fn:>6}{c.fp:>6}{c.precision:>11.3f}{c.recall:>8.3f}{c.f1:>8.3f}")
    return lines


def context_line(text: str, needle: str) -> str:
    """The line of `text` that holds `needle` (collapsed), shortened, for a report."""
    target = collapse(needle)
    for line in text.split("\n"):
        if target in collapse(line):
            return line if len(line) <= 300 else line[:297] + "…"
    return "(spans several lines)"


def write_reports(
    out: Path,
    items: list[dict],
    langs: list[str],
    rows: Mapping[str, tuple[list[str], list[PageScore]]],
    edits: list[list],
) -> list[Path]:
    """Per row: leaked `without` strings and lost `with` strings, each with its line.

    Plus `cleaner-removed-content.txt`: `with` strings trafilatura kept but the rules
    removed, with the rule that did it; this is where a rule that is too eager shows.
    """
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, (texts, scores) in rows.items():
        for kind, attr in (("leaked", "leaked"), ("lost", "lost")):
            path = out / f"{name}-{kind}.txt"
            with path.open("w", encoding="utf-8") as fh:
                for it, lang, text, score in zip(items, langs, texts, scores, strict=True):
                    for s in getattr(score, attr):
                        fh.write(f"{it['file']}\t{lang}\t{s!r}\n")
                        if kind == "leaked":
                            fh.write(f"    line: {context_line(text, s)!r}\n")
            written.append(path)
    path = out / "cleaner-removed-content.txt"
    base, clean = rows["trafilatura"][1], rows["trafilatura+cleaner"][1]
    with path.open("w", encoding="utf-8") as fh:
        for it, lang, b, c, page_edits in zip(items, langs, base, clean, edits, strict=True):
            for s in sorted(set(c.lost) - set(b.lost)):
                head = collapse(s)[:30]
                rules = sorted({rule for rule, before in page_edits if head and head in collapse(before)})
                fh.write(f"{it['file']}\t{lang}\t{s!r}\tremoved by {', '.join(rules) or 'several edits'}\n")
    written.append(path)
    return written


def data_source(data: Path) -> str:
    """Where the pages and annotations come from, as the data folder's SOURCE.md states it."""
    source = data / "SOURCE.md"
    origin = ""
    if source.is_file():
        origin = next((line.strip("- ").strip() for line in source.read_text(encoding="utf-8").splitlines()
                       if line.startswith("- Repository:")), "")  # fmt: skip
    return f"data: {data} ({origin or 'no SOURCE.md'}; details in {source})"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="folder with expectations.json and pages/")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="folder for the report files")
    parser.add_argument("--rules", action="append", default=[], help="rule file or folder added to the defaults")
    parser.add_argument("--no-default-rules", action="store_true")
    parser.add_argument("--workers", type=int, default=min(2, os.cpu_count() or 1))
    parser.add_argument("--cache", action="store_true", help="reuse extracted texts from eval/out (same settings)")
    parser.add_argument("--limit", type=int, default=0, help="only the first N pages (quick checks)")
    args = parser.parse_args(argv)

    expectations = args.data / "expectations.json"
    if not expectations.is_file():
        print(f"error: {expectations} not found (the data lies in ../shared/eval/trafilatura/)", file=sys.stderr)
        return 2
    print(data_source(args.data), file=sys.stderr)
    items = json.loads(expectations.read_text(encoding="utf-8"))
    if args.limit:
        items = items[: args.limit]
    start = time.monotonic()
    extracted, cleaned, edits = run_pages(items, args.data, args.out, args)
    words = function_words()
    langs = [page_language(it, text, words) for it, text in zip(items, extracted, strict=True)]
    rows = {
        "trafilatura": (
            extracted,
            [score_page(t, it["with"], it["without"]) for t, it in zip(extracted, items, strict=True)],
        ),
        "trafilatura+cleaner": (
            cleaned,
            [score_page(t, it["with"], it["without"]) for t, it in zip(cleaned, items, strict=True)],
        ),
    }
    for name, (_, scores) in rows.items():
        print("\n".join(table(name, scores, langs)))
    written = write_reports(args.out, items, langs, rows, edits)
    print(f"{len(items)} pages in {time.monotonic() - start:.0f}s; reports: {', '.join(str(p) for p in written)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
