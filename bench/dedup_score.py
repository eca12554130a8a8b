"""Precision and recall of a dedup run's removals against the exact Jaccard of the planted corpus.

Truth: for every pair of documents of one planted group, its exact Jaccard (word 5-gram
sets, computed with the same shingling as cleaner). A pair counts as found when both
documents end in the same cluster (one removed in favour of the other, or both in favour
of a third). Precision asks of every removal (document, kept document) whether their true
Jaccard is at least `precision_floor`; unrelated documents are never in one group, so a
removal across groups is scored with its exact Jaccard too.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from itertools import combinations

from cleaner.dedup.shingles import jaccard, shingle_set


@dataclass
class Score:
    true_pairs: int
    found_pairs: int
    recall: float
    removals: int
    precise_removals: int
    precision: float


def score(records: list[dict], clusters: list[dict], *, recall_floor: float = 0.85, precision_floor: float = 0.7,
          ngram: int = 5) -> Score:  # fmt: skip
    ids = {str(r["id"]): r for r in records}
    sets = {}

    def shingles(doc_id: str):
        if doc_id not in sets:
            sets[doc_id] = shingle_set(ids[doc_id]["text"], ngram)
        return sets[doc_id]

    kept_of = {c["id"]: c["kept"]["id"] for c in clusters}
    cluster = lambda d: kept_of.get(d, d)  # noqa: E731
    groups = defaultdict(list)
    for r in records:
        groups[r["group"]].append(str(r["id"]))
    true_pairs = found = 0
    for members in groups.values():
        for a, b in combinations(members, 2):
            if jaccard(shingles(a), shingles(b)) >= recall_floor:
                true_pairs += 1
                found += cluster(a) == cluster(b)
    precise = sum(jaccard(shingles(c["id"]), shingles(c["kept"]["id"])) >= precision_floor for c in clusters)
    return Score(true_pairs, found, found / max(true_pairs, 1), len(clusters), precise,
                 precise / max(len(clusters), 1))  # fmt: skip


def read_jsonl(path: str) -> list[dict]:
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]
