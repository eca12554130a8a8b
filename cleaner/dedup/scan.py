"""Pass 1: every document to fixed-size numbers, stored per input as numpy files.

Per document: its exact key, its MinHash band keys, its sorted shingle hashes (for exact
Jaccard when a candidate pair is verified), its line number and id (for the clusters
file), and its passages' hashes and line indexes. Nothing is kept as a Python object per
document: batches come back from workers as arrays and are appended to files in the run's
state folder, so memory stays flat as the corpus grows. An input whose files and marker
exist was scanned by an earlier (interrupted) run and is not scanned again.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import numpy as np

from cleaner.dedup.minhash import MinHasher
from cleaner.dedup.options import DedupOptions
from cleaner.dedup.passages import passage_hashes
from cleaner.dedup.records import Doc, iter_docs
from cleaner.dedup.shingles import exact_key, shingle_sets
from cleaner.io.files import write_atomic
from cleaner.runner.state import RunState
from cleaner.runner.tasks import Task
from cleaner.runner.units import Unit

_HASHERS: dict[tuple[int, int], MinHasher] = {}
STREAMS = ("shingles", "ids", "p_hash", "p_doc", "p_line")


def hasher_for(options: DedupOptions) -> MinHasher:
    key = (options.params.bands, options.params.rows)
    if key not in _HASHERS:
        _HASHERS[key] = MinHasher(options.params)
    return _HASHERS[key]


@dataclass
class ScanBatch:
    unit: int
    seq: int
    last: bool
    failed: str | None = None
    docs: int = 0
    arrays: dict[str, np.ndarray] = field(default_factory=dict)


def scan_task(task: Task, options: DedupOptions) -> ScanBatch:
    """The numbers of one task's documents (runs in a worker process)."""
    if task.kind == "failed":
        return ScanBatch(task.unit, task.seq, True, failed=task.payload)
    hasher = hasher_for(options)
    docs = [d for d in iter_docs(task, options) if isinstance(d, Doc)]
    n = len(docs)
    exact = np.fromiter((exact_key(d.text) for d in docs), dtype=np.uint64, count=n)
    shingles, offsets = shingle_sets([d.text for d in docs], options.ngram)
    lens = np.diff(offsets)
    bands = np.zeros((n, options.params.bands), dtype=np.uint64)
    has = np.flatnonzero(lens)
    if len(has):
        sigs = hasher.signatures(shingles, np.concatenate([offsets[has], offsets[-1:]]))
        bands[has] = hasher.band_keys(sigs)
    ids = [d.doc_id.encode("utf-8", "surrogatepass") for d in docs]
    arrays = {
        "exact": exact,
        "bands": bands,
        "sh_len": lens,
        "shingles": shingles.astype(np.uint64, copy=False),
        "number": np.fromiter((d.number or 0 for d in docs), dtype=np.int64, count=n),
        "id_len": np.fromiter((len(b) for b in ids), dtype=np.int64, count=n),
        "ids": np.frombuffer(b"".join(ids), dtype=np.uint8),
    }
    if options.passages:
        p_hash: list[int] = []
        p_doc: list[int] = []
        p_line: list[int] = []
        for i, d in enumerate(docs):
            hashes, lines = passage_hashes(d.text, options.unit, d.by)
            p_hash.extend(hashes)
            p_line.extend(lines)
            p_doc.extend([i] * len(hashes))
        arrays["p_hash"] = np.array(p_hash, dtype=np.uint64)
        arrays["p_doc"] = np.array(p_doc, dtype=np.int64)
        arrays["p_line"] = np.array(p_line, dtype=np.int64)
    return ScanBatch(task.unit, task.seq, task.last, docs=n, arrays=arrays)


class UnitScan:
    """Collects one input's batches: long arrays streamed to files, per-document ones in memory."""

    def __init__(self, state: RunState, unit: Unit):
        self.state = state
        self.unit = unit
        self.docs = 0
        self.small: dict[str, list[np.ndarray]] = {}
        self.streams: dict[str, BinaryIO] = {}

    def path(self, name: str) -> Path:
        return scan_path(self.state, self.unit, name)

    def add(self, batch: ScanBatch) -> None:
        for name, arr in batch.arrays.items():
            if name == "p_doc":
                arr = arr + self.docs
            if name in STREAMS:
                if name not in self.streams:
                    self.streams[name] = open(str(self.path(name)) + ".part", "wb")  # noqa: SIM115
                self.streams[name].write(np.ascontiguousarray(arr).tobytes())
            else:
                self.small.setdefault(name, []).append(arr)
        self.docs += batch.docs

    def commit(self) -> None:
        for name, fh in self.streams.items():
            fh.close()
            os.replace(str(self.path(name)) + ".part", self.path(name))
        for name, parts in self.small.items():
            tmp = Path(str(self.path(name)) + ".part.npy")
            np.save(tmp, np.concatenate(parts))
            os.replace(tmp, self.path(name))
        write_atomic(self.path("done"), json.dumps({"docs": self.docs}).encode("utf-8"))

    def abort(self) -> None:
        for name, fh in self.streams.items():
            fh.close()
            Path(str(self.path(name)) + ".part").unlink(missing_ok=True)


def scan_path(state: RunState, unit: Unit, name: str) -> Path:
    return state.dir / f"{state.key(unit)}.scan.{name}"


def scanned_docs(state: RunState, unit: Unit) -> int | None:
    """How many documents an earlier run scanned in this input, or None if it must be scanned."""
    marker = scan_path(state, unit, "done")
    if not marker.exists():
        return None
    return int(json.loads(marker.read_text(encoding="utf-8"))["docs"])


def load_small(state: RunState, unit: Unit, name: str) -> np.ndarray:
    return np.load(scan_path(state, unit, name))


def load_stream(state: RunState, unit: Unit, name: str, dtype: type) -> np.ndarray:
    """A streamed array, memory-mapped (read only when touched)."""
    path = scan_path(state, unit, name)
    if not path.exists() or path.stat().st_size == 0:
        return np.zeros(0, dtype=dtype)
    return np.memmap(path, dtype=dtype, mode="r")
