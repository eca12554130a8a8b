"""Repeated passages (CCNet's paragraph dedup): which lines of a document recur elsewhere.

A passage is one line of a document (scraped text holds a paragraph per line, with or
without blank lines between). `paragraph` compares lines the way CCNet does: lowercased,
accents, punctuation and spacing removed, digits folded to 0, so a paragraph that differs
only by a date or a curly quote still matches. `line` compares lines exactly (surrounding
whitespace aside). Blank lines are never passages.

A passage found in at least `min_docs` documents is removed from every document but the
first (in input order) that holds it. With `--by FIELD` the documents are counted only
among those with the same value of FIELD (one site, one source).
"""

from __future__ import annotations

import unicodedata

import numpy as np
import regex

from cleaner.dedup.shingles import stable_hash
from cleaner.model import Edit

RULE_ID = "dedup.passage"
_PUNCT = regex.compile(r"[\p{P}\p{S}]+")
_DIGIT = regex.compile(r"\d")
_MARKS = regex.compile(r"\p{Mn}+")


def normalise(line: str, unit: str) -> str:
    if unit == "line":
        return line.strip()
    s = _MARKS.sub("", unicodedata.normalize("NFD", line.lower()))
    s = _DIGIT.sub("0", _PUNCT.sub(" ", s))
    return " ".join(s.split())


def passage_hashes(text: str, unit: str, by: str | None) -> tuple[list[int], list[int]]:
    """(hashes, line indexes) of the passages of a text, in order."""
    salt = "" if by is None else f"{by}\x00"
    hashes: list[int] = []
    lines: list[int] = []
    for i, line in enumerate(text.split("\n")):
        key = normalise(line, unit)
        if key:
            hashes.append(stable_hash(salt + key))
            lines.append(i)
    return hashes, lines


def passages_to_remove(hashes: np.ndarray, docs: np.ndarray, alive: np.ndarray, min_docs: int) -> np.ndarray:
    """For each passage (hash, document), whether it goes: its hash is in `min_docs`+ live
    documents and this is not the first of them. Documents not `alive` neither count nor lose."""
    remove = np.zeros(len(hashes), dtype=bool)
    live = np.flatnonzero(alive[docs]) if len(hashes) else np.zeros(0, dtype=np.int64)
    if len(live) == 0:
        return remove
    h, d = hashes[live], docs[live]
    order = np.lexsort((d, h))
    hs, ds = h[order], d[order]
    new_hash = np.ones(len(hs), dtype=bool)
    new_hash[1:] = hs[1:] != hs[:-1]
    new_pair = new_hash.copy()
    new_pair[1:] |= ds[1:] != ds[:-1]
    group = np.cumsum(new_hash) - 1
    doc_count = np.bincount(group[new_pair], minlength=group[-1] + 1)
    first_doc = ds[new_hash]
    goes = (doc_count[group] >= min_docs) & (ds != first_doc[group])
    remove[live[order]] = goes
    return remove


def remove_lines(text: str, drop: set[int]) -> tuple[str, list[Edit]]:
    """The text without the lines in `drop` (each with the blank lines right after it, its
    paragraph break), and one edit per removed passage, offsets in the original text."""
    lines = text.split("\n")
    kept: list[str] = []
    edits: list[Edit] = []
    offset = 0
    i = 0
    while i < len(lines):
        if i not in drop:
            kept.append(lines[i])
            offset += len(lines[i]) + 1
            i += 1
            continue
        start, first = offset, i
        offset += len(lines[i]) + 1
        i += 1
        while i < len(lines) and not lines[i].strip() and i < len(lines) - 1:
            offset += len(lines[i]) + 1
            i += 1
        end = min(offset, len(text))
        edits.append(Edit(RULE_ID, start, end, text[start:end], "", first + 1, whole_lines=True))
    return "\n".join(kept), edits
