"""Documents as sets of hashed word n-grams, and the exact hash of a normalised text.

Words are runs of letters and digits, lowercased, so punctuation, case and spacing do not
make two copies look different. Each word is hashed once per process (a cache: words
repeat), and the n-gram hashes are combined from word hashes with numpy, so no Python
object is made per shingle. Hashes are blake2b-based, hence the same in every process and
on every machine (Python's `hash()` is salted per process).
"""

from __future__ import annotations

import hashlib
import re

import numpy as np


def _separators() -> dict[int, str]:
    """str.translate table: every character of the Basic Multilingual Plane and of the emoji and
    symbol blocks (U+1F000-U+1FBFF) that is not a word character (`\\w`) becomes a space."""
    codes = [*range(0xD800), *range(0xE000, 0x10000), *range(0x1F000, 0x1FC00)]
    chars = "".join(map(chr, codes))
    return str.maketrans({m.group(): " " for m in re.finditer(r"[^\w]", chars)})


_SEPARATORS = _separators()
_MULT = np.uint64(0x9E3779B97F4A7C15)
_LOW40 = np.uint64((1 << 40) - 1)
_CACHE_LIMIT = 1_000_000
_word_cache: dict[str, int] = {}


def stable_hash(text: str) -> int:
    """A 64-bit hash of a string, the same in every process."""
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=8).digest(), "little")


def exact_key(text: str) -> int:
    """Hash of the text with case and whitespace runs normalised: equal keys are exact duplicates."""
    return stable_hash(" ".join(text.lower().split()))


def words(text: str) -> list[str]:
    """Runs of word characters (letters, digits, underscore), lowercased: the same as
    `re.findall(r"\\w+", text.lower())` (rare symbols outside the BMP and emoji blocks aside),
    twice as fast."""
    return text.lower().translate(_SEPARATORS).split()


def word_hashes(tokens: list[str]) -> np.ndarray:
    cache = _word_cache
    try:
        return np.fromiter(map(cache.__getitem__, tokens), dtype=np.uint64, count=len(tokens))
    except KeyError:
        pass
    if len(cache) > _CACHE_LIMIT:
        cache.clear()
    for w in set(tokens).difference(cache):
        cache[w] = stable_hash(w)
    return np.fromiter(map(cache.__getitem__, tokens), dtype=np.uint64, count=len(tokens))


def mix64(x: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser, vectorised: spreads every input bit over the output."""
    with np.errstate(over="ignore"):
        x = x ^ (x >> np.uint64(30))
        x = x * np.uint64(0xBF58476D1CE4E5B9)
        x = x ^ (x >> np.uint64(27))
        x = x * np.uint64(0x94D049BB133111EB)
        return x ^ (x >> np.uint64(31))


def shingle_set(text: str, ngram: int) -> np.ndarray:
    """Sorted unique hashes of the text's word n-grams (see `shingle_sets`)."""
    return shingle_sets([text], ngram)[0]


def shingle_sets(texts: list[str], ngram: int) -> tuple[np.ndarray, np.ndarray]:
    """The shingle sets of a batch: (hashes, offsets), document i's set being
    `hashes[offsets[i]:offsets[i+1]]`, sorted and unique.

    A text of fewer than `ngram` words (but at least one) is one shingle of all its words,
    so short documents still meet their copies; an empty text has no shingles. The whole
    batch is one set of numpy operations: n-grams are combined over the concatenated word
    hashes, and one sort of (document << 40 | 40-bit shingle hash) dedupes every document's
    set at once (40 bits: a chance collision inside a pair of documents is ~1e-7).
    """
    tokens = [words(t) for t in texts]
    lens = np.fromiter((len(t) for t in tokens), dtype=np.int64, count=len(tokens))
    h = word_hashes([w for t in tokens for w in t])
    starts = np.zeros(len(tokens) + 1, dtype=np.int64)
    np.cumsum(lens, out=starts[1:])
    k = ngram
    parts: list[np.ndarray] = []
    owners: list[np.ndarray] = []
    if len(h) >= k:
        with np.errstate(over="ignore"):
            acc = h[: len(h) - k + 1].copy()
            for i in range(1, k):
                acc = acc * _MULT + h[i : len(h) - k + 1 + i]
        long_docs = np.flatnonzero(lens >= k)
        counts = lens[long_docs] - k + 1
        owner = np.repeat(long_docs, counts)
        first = np.repeat(starts[long_docs], counts)
        within = np.arange(len(owner)) - np.repeat(np.cumsum(counts) - counts, counts)
        parts.append(acc[first + within])
        owners.append(owner)
    for d in np.flatnonzero((lens > 0) & (lens < k)):
        acc1 = h[starts[d]].copy()
        with np.errstate(over="ignore"):
            for i in range(starts[d] + 1, starts[d + 1]):
                acc1 = acc1 * _MULT + h[i]
        parts.append(np.array([acc1], dtype=np.uint64))
        owners.append(np.array([d], dtype=np.int64))
    if not parts:
        return np.zeros(0, dtype=np.uint64), np.zeros(len(texts) + 1, dtype=np.int64)
    keys = (owners[0] if len(owners) == 1 else np.concatenate(owners)).astype(np.uint64) << np.uint64(40)
    keys |= mix64(parts[0] if len(parts) == 1 else np.concatenate(parts)) & _LOW40
    keys = sorted_unique(keys)
    owner_of = keys >> np.uint64(40)
    offsets = np.searchsorted(owner_of, np.arange(len(texts) + 1, dtype=np.uint64)).astype(np.int64)
    return keys & _LOW40, offsets


def sorted_unique(x: np.ndarray) -> np.ndarray:
    """np.unique for a 1-d array, without its extra work (several times faster on short arrays)."""
    x = np.sort(x)
    if len(x) < 2:
        return x
    keep = np.empty(len(x), dtype=bool)
    keep[0] = True
    np.not_equal(x[1:], x[:-1], out=keep[1:])
    return x[keep]


def jaccard(a: np.ndarray, b: np.ndarray) -> float:
    """Exact Jaccard similarity of two sorted unique hash arrays."""
    if len(a) == 0 and len(b) == 0:
        return 1.0
    inter = len(np.intersect1d(a, b, assume_unique=True))
    return inter / (len(a) + len(b) - inter)
