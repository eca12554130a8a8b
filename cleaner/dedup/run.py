"""The local dedup run: scan, decide, write; account for every record.

Reuses `cleaner run`'s machinery: the same units (input resolution and output layout),
task cutting, sinks (temporary names renamed into place), per-input completion markers
and segment files in `OUT/.cleaner-run/`, quarantine file and stats JSON.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from cleaner.dedup.decide import EXACT, KEEP, NEAR, Decisions, Engine, decide
from cleaner.dedup.options import DedupOptions
from cleaner.dedup.pool import scan_results
from cleaner.dedup.scan import ScanBatch, UnitScan, load_small, load_stream, scanned_docs
from cleaner.dedup.write import UnitOutput
from cleaner.io.files import write_atomic
from cleaner.io.jsonl import dumps
from cleaner.runner.local import (
    MAX_WARNINGS,
    RunReport,
    UnitWriter,
    assemble_segments,
    default_quarantine,
    task_stream,
    write_stats_json,
)
from cleaner.runner.sinks import remove_leftovers
from cleaner.runner.state import RunState, fingerprint
from cleaner.runner.tasks import Task
from cleaner.runner.units import Unit
from cleaner.stats import RunStats


@dataclass
class DedupReport(RunReport):
    removed_exact: int = 0
    removed_near: int = 0
    clusters: int = 0
    largest_cluster: int = 0
    candidates: int = 0
    verified: int = 0
    failed_units: set[int] = field(default_factory=set)
    captured: dict[int, str] = field(default_factory=dict)  # for --report
    passages: list[tuple[str, str]] = field(default_factory=list)  # for --report
    sizes: dict[int, int] = field(default_factory=dict)  # cluster size -> clusters of that size
    pairs: list[dict[str, Any]] = field(default_factory=list)  # sample pairs for --report

    @property
    def balanced(self) -> bool:
        s = self.stats
        return s.read == s.written + s.quarantined + s.dropped_empty + self.removed_exact + self.removed_near

    def duplicates_dict(self) -> dict[str, Any]:
        return {"removed_exact": self.removed_exact, "removed_near": self.removed_near, "clusters": self.clusters,
                "largest_cluster": self.largest_cluster, "candidate_pairs": self.candidates,
                "verified_pairs": self.verified}  # fmt: skip


@dataclass
class Outputs:
    quarantine: Path | None = None
    stats_json: Path | None = None
    log_edits: Path | None = None
    clusters: Path | None = None
    report: Path | None = None


def input_identity(units: list[Unit]) -> list[list[Any]]:
    """Names, sizes and modification times: a resumed run must see the same corpus."""
    out = []
    for u in units:
        st = u.source.stat() if u.source is not None else None
        out.append([u.name, st.st_size if st else 0, st.st_mtime_ns if st else 0])
    return out


@dataclass
class Backend:
    """Where the work runs. Local: a process pool for the scan, the rest in this process.
    The Ray engine (`ray_dedup.py`) runs each step as Ray tasks and reuses everything else."""

    scan: Callable[[Iterator[Task], DedupOptions], Iterator[ScanBatch]]
    engine: Engine | None = None
    write: Callable[..., Iterator[tuple[Unit, UnitDone]]] | None = None


def local_backend(workers: int) -> Backend:
    return Backend(lambda tasks, options: scan_results(tasks, options, workers))


def run_dedup(units: list[Unit], options: DedupOptions, out: Path, files: Outputs, *, workers: int = 1,
              resume: bool = False, backend: Backend | None = None) -> DedupReport:  # fmt: skip
    start = time.monotonic()
    backend = backend or local_backend(workers)
    fields = {**options.fingerprint_fields(), "inputs": input_identity(units), "dedup": 1}
    state = RunState(out, fingerprint([], fields), resume)
    report = DedupReport(RunStats())
    counts = _scan(state, units, options, backend, report)
    decisions = decide(state, units, counts, options, backend.engine)
    _write(state, units, decisions, options, files, report, resume, backend)
    _count(decisions, report)
    report.quarantine_file = files.quarantine or default_quarantine(out)
    if report.stats.quarantined:
        assemble_segments(state, units, "quarantine", report.quarantine_file)
    elif files.quarantine is None:
        report.quarantine_file.unlink(missing_ok=True)
        report.quarantine_file = None
    if files.log_edits is not None:
        assemble_segments(state, units, "edits", files.log_edits)
    if files.clusters is not None or files.report is not None:
        where = Locator(state, units, decisions)
        if files.clusters is not None:
            write_clusters(files.clusters, where, decisions)
        for removed, kept in decisions.sample_pairs():
            report.pairs.append({"removed": where(removed), "kept": where(kept), "match": _match(decisions, removed),
                                 "similarity": float(decisions.similarity[removed]),
                                 "removed_text": report.captured.get(removed),
                                 "kept_text": report.captured.get(kept)})  # fmt: skip
    report.seconds = time.monotonic() - start
    if files.report is not None:
        from cleaner.dedup.report import write_dedup_report

        write_dedup_report(files.report, report)
    if files.stats_json is not None:
        write_stats_json(files.stats_json, report, len(units))
        data = json.loads(files.stats_json.read_text(encoding="utf-8"))
        data["totals"]["balanced"] = report.balanced
        data["duplicates"] = report.duplicates_dict()
        write_atomic(files.stats_json, json.dumps(data, indent=2, ensure_ascii=False).encode("utf-8") + b"\n")
    state.cleanup(complete=not report.failed_inputs)
    return report


def _scan(
    state: RunState, units: list[Unit], options: DedupOptions, backend: Backend, report: DedupReport
) -> list[int]:
    counts: list[int | None] = [scanned_docs(state, u) if state.dir.exists() else None for u in units]
    todo = [u for u, c in zip(units, counts, strict=True) if c is None]
    by_index = {u.index: u for u in units}
    position = {u.index: i for i, u in enumerate(units)}
    open_scans: dict[int, UnitScan] = {}
    try:
        for batch in backend.scan(task_stream(todo), options):
            unit = by_index[batch.unit]
            scan = open_scans.get(unit.index)
            if batch.failed is not None:
                if scan is not None:
                    scan.abort()
                    del open_scans[unit.index]
                report.failed_inputs.append(f"{unit.name}: {batch.failed}")
                report.failed_units.add(unit.index)
                counts[position[unit.index]] = 0
                continue
            if scan is None:
                scan = open_scans[unit.index] = UnitScan(state, unit)
            scan.add(batch)
            if batch.last:
                scan.commit()
                counts[position[unit.index]] = scan.docs
                del open_scans[unit.index]
    finally:
        for scan in open_scans.values():
            scan.abort()
    return [c or 0 for c in counts]


@dataclass
class UnitDone:
    stats: RunStats | None = None
    failed: str | None = None
    warnings: list[str] = field(default_factory=list)
    captured: dict[int, str] = field(default_factory=dict)
    passages: list[tuple[str, str]] = field(default_factory=list)


def write_unit(state: RunState, unit: Unit, first_doc: int, decisions: Decisions, options: DedupOptions,
               log_edits: bool) -> UnitDone:  # fmt: skip
    """Write one input's output, quarantine and edit-log segments, and its completion marker."""
    if unit.target is not None:
        remove_leftovers(unit.target)
    maker = UnitOutput(first_doc, decisions, options, log_edits)
    writer = UnitWriter(unit, state, options)  # type: ignore[arg-type]
    done = UnitDone()
    try:
        for task in task_stream([unit]):
            result = maker.task(task)
            if result.failed is not None:
                writer.abort()
                done.failed = f"{unit.name}: {result.failed}"
                return done
            writer.add(result)
            done.warnings.extend(result.warnings)
            if result.last:
                writer.commit()
                done.stats = writer.stats
                done.captured, done.passages = maker.captured, maker.passages
    except BaseException:
        writer.abort()
        raise
    return done


def _local_write(state: RunState, todo: list[tuple[Unit, int]], decisions: Decisions, options: DedupOptions,
                 log_edits: bool) -> Iterator[tuple[Unit, UnitDone]]:  # fmt: skip
    for unit, first in todo:
        yield unit, write_unit(state, unit, first, decisions, options, log_edits)


def _write(state: RunState, units: list[Unit], decisions: Decisions, options: DedupOptions, files: Outputs,
           report: DedupReport, resume: bool, backend: Backend) -> None:  # fmt: skip
    todo: list[tuple[Unit, int]] = []
    for i, unit in enumerate(units):
        if unit.index in report.failed_units:
            continue
        done = state.done_stats(unit) if resume else None
        if done is not None:
            report.stats.merge(done)
            report.resumed += 1
            continue
        todo.append((unit, int(decisions.base[i])))
    shown = 0
    write = backend.write or _local_write
    for unit, done in write(state, todo, decisions, options, files.log_edits is not None):
        for w in done.warnings:
            shown += 1
            if shown <= MAX_WARNINGS:
                print(f"warning: {w}", file=sys.stderr)
        if done.failed is not None:
            report.failed_inputs.append(done.failed)
            report.failed_units.add(unit.index)
        elif done.stats is not None:
            report.stats.merge(done.stats)
            report.captured.update(done.captured)
            report.passages.extend(done.passages[: max(0, 20 - len(report.passages))])
    if shown > MAX_WARNINGS:
        print(f"warning: … and {shown - MAX_WARNINGS} more warnings (see the quarantine file)", file=sys.stderr)


def _count(decisions: Decisions, report: DedupReport) -> None:
    kind = decisions.kind
    report.removed_exact = int((kind == EXACT).sum())
    report.removed_near = int((kind == NEAR).sum())
    removed = decisions.kind != KEEP
    if removed.any():
        sizes = np.bincount(decisions.kept[removed])
        report.clusters = int((sizes > 0).sum())
        report.largest_cluster = int(sizes.max()) + 1
        histogram = np.bincount(sizes[sizes > 0] + 1)
        report.sizes = {int(k): int(v) for k, v in enumerate(histogram) if v}
    report.candidates = decisions.candidates
    report.verified = decisions.verified


class Locator:
    """Where a document is (source, line, id), from the scanned arrays: ids are read only when asked for."""

    def __init__(self, state: RunState, units: list[Unit], decisions: Decisions):
        self.base = decisions.base
        self.names = [u.name for u in units]
        counts = np.diff(decisions.base)
        self.numbers = [load_small(state, u, "number") if c else None for u, c in zip(units, counts, strict=True)]
        id_lens = [load_small(state, u, "id_len") if c else None for u, c in zip(units, counts, strict=True)]
        self.id_maps = [
            load_stream(state, u, "ids", np.uint8) if c else None for u, c in zip(units, counts, strict=True)
        ]
        self.id_starts = [None if n is None else np.concatenate([[0], np.cumsum(n)]) for n in id_lens]

    def __call__(self, doc: int) -> dict[str, Any]:
        u = int(np.searchsorted(self.base, doc, side="right")) - 1
        i = doc - int(self.base[u])
        number = int(self.numbers[u][i])  # type: ignore[index]
        raw = bytes(self.id_maps[u][self.id_starts[u][i] : self.id_starts[u][i + 1]])  # type: ignore[index]
        return {"source": self.names[u], "line": number or None, "id": raw.decode("utf-8", "surrogatepass")}


def _match(decisions: Decisions, doc: int) -> str:
    return "exact" if decisions.kind[doc] == EXACT else "near"


def write_clusters(path: Path, where: Locator, decisions: Decisions) -> None:
    """One JSON line per removed document: where it is, the document kept in its place, their Jaccard."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.part")
    try:
        with open(tmp, "wb") as fh:
            for doc in np.flatnonzero(decisions.kind != KEEP):
                entry = {**where(int(doc)), "kept": where(int(decisions.kept[doc])),
                         "similarity": round(float(decisions.similarity[doc]), 4),
                         "match": _match(decisions, int(doc))}  # fmt: skip
                fh.write(dumps(entry) + b"\n")
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
