"""`cleaner dedup --engine ray`: the same steps as the local run, as Ray tasks.

- Scan: one Ray task per ~1 MB batch (`scan_task`, the local code) computes shingles,
  signatures and band keys; the driver appends the returned arrays to the state folder.
- Bands: one Ray task per band groups that band's keys into buckets and returns the star
  pairs of its buckets (`band_pairs`); the band keys are shared through the object store.
- Verification: Ray tasks compute the exact Jaccard of chunks of candidate pairs, reading
  shingle sets from the state folder, and return a yes/no per pair; the driver joins only
  the verified pairs (union-find). Every candidate is verified (the local run skips pairs
  already joined), so the components, hence the decisions, are the same.
- Write: one Ray task per input writes its output, quarantine and edit-log segments and its
  completion marker, as the local run does.

So the outputs are the local run's, byte for byte (tested). OUT must be a folder every
node sees at the same path (one machine, or a shared mount); URIs are not supported here.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from cleaner.dedup.decide import Decisions, Engine, Shingles, band_keys, band_pairs
from cleaner.dedup.options import DedupOptions
from cleaner.dedup.run import Backend, DedupReport, Outputs, UnitDone, run_dedup, write_unit
from cleaner.dedup.scan import ScanBatch, load_small, scan_task
from cleaner.dedup.shingles import jaccard
from cleaner.io.files import UsageError
from cleaner.runner.state import RunState
from cleaner.runner.tasks import Task
from cleaner.runner.units import Unit

VERIFY_CHUNK = 20_000


def run_dedup_ray(units: list[Unit], options: DedupOptions, out: Path, files: Outputs, *, workers: int | None,
                  address: str | None, resume: bool) -> DedupReport:  # fmt: skip
    from cleaner.runner.ray_engine import ray_session

    if resume:
        raise UsageError("--resume is not supported with --engine ray: rerun the whole corpus")
    with ray_session(address) as ray:
        window = max(2, int(workers or ray.cluster_resources().get("CPU", 2))) * 2
        return run_dedup(units, options, out, files, resume=False, backend=_backend(ray, window))


def _backend(ray: Any, window: int) -> Backend:
    remote_scan = ray.remote(scan_task)
    remote_bands = ray.remote(_band_task)
    remote_verify = ray.remote(_verify_task)
    remote_write = ray.remote(write_unit)

    def scan(tasks: Iterator[Task], options: DedupOptions) -> Iterator[ScanBatch]:
        pending: deque[Any] = deque()
        for task in tasks:
            pending.append(remote_scan.remote(task, options))
            while len(pending) >= window:
                yield ray.get(pending.popleft())
        while pending:
            yield ray.get(pending.popleft())

    def map_bands(state: RunState, live: list[Unit], reps: np.ndarray, bands: int, total: int) -> list[np.ndarray]:
        keys = ray.put(band_keys(state, live)[reps])
        reps_ref = ray.put(reps)
        return ray.get([remote_bands.remote(keys, reps_ref, b, total) for b in range(bands)])

    def verify(
        state: RunState, units: list[Unit], counts: list[int], pairs: np.ndarray, threshold: float
    ) -> np.ndarray:
        refs = [remote_verify.remote(state, units, counts, pairs[i : i + VERIFY_CHUNK], threshold)
                for i in range(0, len(pairs), VERIFY_CHUNK)]  # fmt: skip
        return np.concatenate(ray.get(refs)) if refs else np.zeros(0, dtype=bool)

    def write(state: RunState, todo: list[tuple[Unit, int]], decisions: Decisions, options: DedupOptions,
              log_edits: bool) -> Iterator[tuple[Unit, UnitDone]]:  # fmt: skip
        shared = ray.put(decisions)
        refs = [remote_write.remote(state, unit, first, shared, options, log_edits) for unit, first in todo]
        for (unit, _), ref in zip(todo, refs, strict=True):
            yield unit, ray.get(ref)

    return Backend(scan, Engine(map_bands=map_bands, verify=verify), write)


def _band_task(keys: np.ndarray, reps: np.ndarray, band: int, total: int) -> np.ndarray:
    return band_pairs(np.ascontiguousarray(keys[:, band]), reps, total)


def _verify_task(state: RunState, units: list[Unit], counts: list[int], pairs: np.ndarray,
                 threshold: float) -> np.ndarray:  # fmt: skip
    base = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    lens = [load_small(state, u, "sh_len") if c else np.zeros(0, np.int64) for u, c in zip(units, counts, strict=True)]
    shingles = Shingles(state, units, base, lens)
    try:
        return np.array([jaccard(shingles(int(a)), shingles(int(b))) >= threshold for a, b in pairs], dtype=bool)
    finally:
        shingles.close()
