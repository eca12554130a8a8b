"""A corpus with planted near-duplicates at known Jaccard levels, for tests and `make bench-dedup`.

Base documents are paragraphs of words drawn (Zipf-like) from a made-up vocabulary, so
unrelated documents share almost no word 5-gram. Each base gets copies made in the ways
scraped copies differ: exact copies, copies with case and spacing changed, words replaced
at a rate aimed at a target Jaccard (0.5 to 0.95), a block of new text inserted,
paragraphs reordered, and a boilerplate header and footer added. The target is only an
aim: benchmarks compute every pair's true Jaccard exactly from the shingle sets.
Records carry `group` (their base) and `variant`, so the truth is known.
"""

from __future__ import annotations

import itertools
import json
import random
from collections.abc import Iterator

VARIANTS = ("exact", "respaced", "edit-0.95", "edit-0.9", "edit-0.85", "edit-0.8", "edit-0.7", "edit-0.6",
            "edit-0.5", "insert", "reorder", "boilerplate")  # fmt: skip
BOILER_HEAD = "Subscribe to our newsletter for the latest updates delivered to your inbox every morning."
BOILER_FOOT = "Copyright all rights reserved. Share this article on social media. Related stories below."


def vocabulary(rng: random.Random, size: int = 20000) -> list[str]:
    letters = "abcdefghijklmnopqrstuvwxyz"
    words = set()
    while len(words) < size:
        words.add("".join(rng.choice(letters) for _ in range(rng.randint(2, 9))))
    return sorted(words)


class Planter:
    def __init__(self, seed: int = 7):
        self.rng = random.Random(seed)
        self.vocab = vocabulary(self.rng)
        self.cum_weights = list(itertools.accumulate(1.0 / (i + 10) for i in range(len(self.vocab))))

    def words(self, n: int) -> list[str]:
        return self.rng.choices(self.vocab, cum_weights=self.cum_weights, k=n)

    def base(self) -> list[list[str]]:
        return [self.words(self.rng.randint(30, 90)) for _ in range(self.rng.randint(4, 8))]

    def variant(self, paras: list[list[str]], kind: str) -> list[list[str]]:
        rng = self.rng
        if kind in ("exact", "respaced"):
            return [p[:] for p in paras]
        if kind.startswith("edit-"):
            j = float(kind.split("-")[1])
            shared = 2 * j / (1 + j)  # fraction of shingles kept so that Jaccard = j
            rate = 1 - shared ** (1 / 5)
            return [[self.words(1)[0] if rng.random() < rate else w for w in p] for p in paras]
        if kind == "insert":
            out = [p[:] for p in paras]
            out.insert(rng.randrange(len(out) + 1), self.words(rng.randint(10, 25)))
            return out
        if kind == "reorder":
            out = [p[:] for p in paras]
            rng.shuffle(out)
            return out
        if kind == "boilerplate":
            return [BOILER_HEAD.split(), *[p[:] for p in paras], BOILER_FOOT.split()]
        raise ValueError(kind)


def render(paras: list[list[str]], kind: str = "") -> str:
    text = "\n".join(" ".join(p) for p in paras)
    if kind == "respaced":
        text = text.upper().replace(" ", "  ")
    return text + "\n"


def records(groups: int, unrelated: int, seed: int = 7) -> Iterator[dict[str, object]]:
    """`groups` bases each with one copy of every variant, plus `unrelated` single documents, shuffled
    within blocks of a few groups so copies are near their originals as in a crawl, but not adjacent."""
    p = Planter(seed)
    n = 0
    block: list[dict[str, object]] = []
    for g in range(groups + unrelated):
        paras = p.base()
        block.append({"id": f"d{n}", "group": g, "variant": "base", "text": render(paras)})
        n += 1
        if g < groups:
            for kind in VARIANTS:
                block.append({"id": f"d{n}", "group": g, "variant": kind, "text": render(p.variant(paras, kind), kind)})
                n += 1
        if len(block) >= 200:
            yield from _settle(block, p.rng)
            block = []
    yield from _settle(block, p.rng)


def _settle(block: list[dict[str, object]], rng: random.Random) -> Iterator[dict[str, object]]:
    """Bases first within a block (so the base is the one kept), copies shuffled after them."""
    bases = [r for r in block if r["variant"] == "base"]
    copies = [r for r in block if r["variant"] != "base"]
    rng.shuffle(copies)
    yield from bases
    yield from copies


def write_jsonl(path: str, groups: int, unrelated: int, seed: int = 7) -> int:
    n = 0
    with open(path, "w", encoding="utf-8") as fh:
        for r in records(groups, unrelated, seed):
            fh.write(json.dumps(r) + "\n")
            n += 1
    return n
