"""What to remove, decided from the scanned numbers alone (no text is read here).

1. Exact duplicates: documents with equal exact keys; the first in input order stays.
2. Near duplicates among the rest: in each band, documents with equal keys form a bucket,
   and each member is paired with the bucket's first document (a star, not all pairs).
   Pairs are verified by exact Jaccard of their shingle sets, in a fixed order, and a
   verified pair joins its documents' components (union-find, the smaller index as root).
   A pair already in one component is not verified again. Each component keeps its first
   document in input order and loses the others.
3. Repeated passages, counted over the documents that stay.

Every step is a deterministic function of the scanned numbers, so a rerun, a resumed run
and a run with any number of workers decide the same.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from cleaner.dedup.options import DedupOptions
from cleaner.dedup.passages import passages_to_remove
from cleaner.dedup.scan import load_small, load_stream, scan_path
from cleaner.dedup.shingles import jaccard
from cleaner.runner.state import RunState
from cleaner.runner.units import Unit

KEEP, EXACT, NEAR = 0, 1, 2


@dataclass
class Decisions:
    base: np.ndarray  # first global document number of each input, and the total at the end
    kind: np.ndarray  # KEEP, EXACT or NEAR per document
    kept: np.ndarray  # the document each one is a duplicate of (itself when kept)
    similarity: np.ndarray  # exact Jaccard with the kept document
    drop_doc: np.ndarray  # passages to remove: document numbers (sorted) ...
    drop_line: np.ndarray  # ... and line indexes
    numbers: np.ndarray = field(repr=False, default_factory=lambda: np.zeros(0, dtype=np.int64))
    candidates: int = 0
    verified: int = 0
    show: frozenset[int] = frozenset()  # documents of the sample pairs the report shows

    def sample_pairs(self, limit: int = 8) -> list[tuple[int, int]]:
        """(removed, kept) for the first removed documents, near ones first (they are the interesting ones)."""
        removed = np.flatnonzero(self.kind != KEEP)
        near = [int(d) for d in removed if self.kind[d] == NEAR][:limit]
        exact = [int(d) for d in removed if self.kind[d] == EXACT][: max(0, limit - len(near))]
        return [(d, int(self.kept[d])) for d in sorted(near + exact)]

    @property
    def total(self) -> int:
        return int(self.base[-1])

    def passage_lines(self, doc: int) -> set[int]:
        if not len(self.drop_doc):
            return set()
        lo, hi = np.searchsorted(self.drop_doc, [doc, doc + 1])
        return set(self.drop_line[lo:hi].tolist())


class Shingles:
    """Random access to any document's shingle set, read from the per-input files.

    Read with positioned reads, not memory maps: pages of a map stay resident (and count
    in the peak memory) once touched, and verification touches many documents.
    """

    def __init__(self, state: RunState, units: list[Unit], base: np.ndarray, lens: list[np.ndarray]):
        self.base = base
        self.paths = [scan_path(state, u, "shingles") for u in units]
        self.files: dict[int, int] = {}
        self.starts = [np.concatenate([[0], np.cumsum(n)]) for n in lens]

    def __call__(self, doc: int) -> np.ndarray:
        u = int(np.searchsorted(self.base, doc, side="right")) - 1
        i = doc - int(self.base[u])
        lo, hi = int(self.starts[u][i]), int(self.starts[u][i + 1])
        if hi == lo:
            return np.zeros(0, dtype=np.uint64)
        if u not in self.files:
            self.files[u] = os.open(self.paths[u], os.O_RDONLY)
        return np.frombuffer(os.pread(self.files[u], (hi - lo) * 8, lo * 8), dtype=np.uint64)

    def close(self) -> None:
        for fd in self.files.values():
            os.close(fd)
        self.files.clear()


@dataclass
class Engine:
    """Where the heavy steps of `decide` run: here by default; the Ray engine runs them as Ray tasks.

    `map_bands(state, live units, reps, bands, total)`: the star-pair codes of each band's
    buckets (see `band_pairs`); `verify(state, units, counts, pairs, threshold)`: which
    pairs reach the threshold (every pair is checked, so the components are the same as
    the local loop's, which skips pairs already joined).
    """

    map_bands: Callable[[RunState, list[Unit], np.ndarray, int, int], list[np.ndarray]] | None = None
    verify: Callable[[RunState, list[Unit], list[int], np.ndarray, float], np.ndarray] | None = None


def decide(state: RunState, units: list[Unit], counts: list[int], options: DedupOptions,
           engine: Engine | None = None) -> Decisions:  # fmt: skip
    base = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    total = int(base[-1])
    live = [u for u, c in zip(units, counts, strict=True) if c]
    exact = _concat(state, live, "exact", np.uint64, (0,))
    lens_per_unit = [
        load_small(state, u, "sh_len") if c else np.zeros(0, np.int64) for u, c in zip(units, counts, strict=True)
    ]
    lens = np.concatenate(lens_per_unit) if lens_per_unit else np.zeros(0, np.int64)
    shingles = Shingles(state, units, base, lens_per_unit)

    kind = np.zeros(total, dtype=np.uint8)
    kept = np.arange(total, dtype=np.int64)
    similarity = np.ones(total, dtype=np.float32)
    rep = np.arange(total, dtype=np.int64)
    if total:
        _, first, inverse = np.unique(exact, return_index=True, return_inverse=True)
        rep = first[inverse].astype(np.int64)
    kind[rep != np.arange(total)] = EXACT

    parent = list(range(total))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    reps = np.flatnonzero((kind == KEEP) & (lens > 0))
    if engine is not None and engine.map_bands is not None:
        per_band = engine.map_bands(state, live, reps, options.params.bands, total) if len(reps) > 1 else []
        found = np.unique(np.concatenate(per_band)) if per_band else np.zeros(0, dtype=np.int64)
        pairs = np.stack([found // max(total, 1), found % max(total, 1)], axis=1)
    else:
        pairs = candidate_pairs(state, live, reps, options.params.bands, total)
    verified = 0
    if engine is not None and engine.verify is not None:
        good = pairs[engine.verify(state, units, counts, pairs, options.threshold)] if len(pairs) else pairs
        verified = len(pairs)
        for a, b in good:
            ra, rb = find(int(a)), find(int(b))
            if ra != rb:
                parent[max(ra, rb)] = min(ra, rb)
    else:
        for a, b in pairs:
            ra, rb = find(int(a)), find(int(b))
            if ra == rb:
                continue  # already one component: this edge cannot change the components
            verified += 1
            if jaccard(shingles(int(a)), shingles(int(b))) >= options.threshold:
                parent[max(ra, rb)] = min(ra, rb)

    for d in range(total):
        root = find(int(rep[d]))
        if root == d:
            continue
        kept[d] = root
        if kind[d] == KEEP:
            kind[d] = NEAR
        if root != rep[d] or kind[d] == NEAR:
            similarity[d] = jaccard(shingles(d), shingles(root)) if lens[d] else 1.0

    shingles.close()
    drop_doc = drop_line = np.zeros(0, dtype=np.int64)
    if options.passages and total:
        p_hash = _concat(state, live, "p_hash", np.uint64, None)
        p_doc = np.concatenate([np.asarray(load_stream(state, u, "p_doc", np.int64)) + base[i]
                                for i, u in enumerate(units) if counts[i]])  # fmt: skip
        p_line = _concat(state, live, "p_line", np.int64, None)
        remove = passages_to_remove(p_hash, p_doc, kind == KEEP, options.min_docs)
        drop_doc, drop_line = p_doc[remove], p_line[remove]
    decisions = Decisions(base, kind, kept, similarity, drop_doc, drop_line, candidates=len(pairs), verified=verified)
    decisions.show = frozenset(d for pair in decisions.sample_pairs() for d in pair)
    return decisions


def _concat(state: RunState, units: list[Unit], name: str, dtype: type, small: tuple | None) -> np.ndarray:
    if small is not None:
        parts = [load_small(state, u, name) for u in units]
    else:
        parts = [np.asarray(load_stream(state, u, name, dtype)) for u in units]
    return np.concatenate(parts).astype(dtype, copy=False) if parts else np.zeros(0, dtype=dtype)


def band_keys(state: RunState, live: list[Unit]) -> np.ndarray:
    return np.concatenate([load_small(state, u, "bands") for u in live])


def band_pairs(keys: np.ndarray, reps: np.ndarray, total: int) -> np.ndarray:
    """Codes (first * total + member) of the star pairs of one band's buckets; `keys` are the band's
    keys of the documents `reps` (in input order, so a bucket's first is its earliest document)."""
    order = np.argsort(keys, kind="stable")
    k = keys[order]
    new = np.ones(len(k), dtype=bool)
    new[1:] = k[1:] != k[:-1]
    group = np.cumsum(new) - 1
    firsts = order[np.flatnonzero(new)][group]
    members = ~new
    return reps[firsts[members]] * total + reps[order[members]]


def candidate_pairs(state: RunState, live: list[Unit], reps: np.ndarray, bands: int, total: int) -> np.ndarray:
    """(first, member) pairs of every band bucket, unique, sorted."""
    if len(reps) < 2:
        return np.zeros((0, 2), dtype=np.int64)
    keys_all = band_keys(state, live)
    found: np.ndarray = np.zeros(0, dtype=np.int64)
    for band in range(bands):
        found = np.union1d(found, band_pairs(keys_all[reps, band], reps, total))
    return np.stack([found // total, found % total], axis=1)
