"""The local engine: plan, clean in parallel, write in order, account for every record.

Units are cleaned as one ordered stream of tasks (so small files and big files keep
all workers busy alike). Each unit's output, quarantine entries and edit-log lines are
committed together when its last task is done; the final quarantine file, edit log and
stats are assembled from the committed units, in input order.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from cleaner.engine import Pipeline
from cleaner.errors import InputProblem, OutputError
from cleaner.io.files import write_atomic
from cleaner.io.jsonl import dumps
from cleaner.runner.options import RunOptions
from cleaner.runner.pool import ordered_results
from cleaner.runner.progress import Progress
from cleaner.runner.sinks import Sink, open_sink, remove_leftovers
from cleaner.runner.state import RunState, fingerprint
from cleaner.runner.tasks import Task, tasks_for
from cleaner.runner.units import Unit
from cleaner.runner.work import TaskResult, set_pipeline
from cleaner.stats import RunStats

MAX_WARNINGS = 20
MAX_REPORTED = 200  # warnings kept for the HTML report


@dataclass
class RunReport:
    stats: RunStats
    failed_inputs: list[str] = field(default_factory=list)
    seconds: float = 0.0
    quarantine_file: Path | str | None = None  # str: a URI (Ray engine)
    resumed: int = 0
    samples: dict[str, list[Any]] = field(default_factory=dict)  # sample edits per rule, for --report
    warnings: list[str] = field(default_factory=list)  # the first MAX_REPORTED warnings, for --report


def default_quarantine(out: Path | None) -> Path:
    """Beside the output folder (never inside it, where it would read as output)."""
    if out is None:
        return Path("cleaner.quarantine.jsonl")
    out = out.resolve()
    return out.parent / f"{out.name}.quarantine.jsonl"


def run_local(units: list[Unit], pipeline: Pipeline, options: RunOptions, out: Path | None) -> RunReport:
    start = time.monotonic()
    with _writing(None, out):
        state = RunState(out, fingerprint([r.source for r in pipeline.rules], options.fingerprint_fields()),
                         options.resume)  # fmt: skip
    report = RunReport(RunStats())
    todo: list[Unit] = []
    for unit in units:
        done = state.done_stats(unit) if options.resume else None
        if done is not None:
            report.stats.merge(done)
            report.resumed += 1
            continue
        if unit.target is not None:
            with _writing(unit):
                remove_leftovers(unit.target)
        todo.append(unit)

    set_pipeline(pipeline, options)
    warnings = _Warnings()
    progress = Progress(options.progress, _total_bytes(todo))
    by_index = {u.index: u for u in units}
    open_units: dict[int, UnitWriter] = {}
    on_crash = lambda task: warnings.add(f"{task.source}: a worker crashed; retrying its batch alone")  # noqa: E731
    results = ordered_results(task_stream(todo), options.workers, on_crash, options.task_timeout)
    try:
        for result in results:
            unit = by_index[result.unit]
            with _writing(unit):
                writer = open_units.get(unit.index)
                if result.failed is not None:
                    if writer is not None:
                        del open_units[unit.index]
                        writer.abort()
                    report.failed_inputs.append(f"{unit.name}: {result.failed}")
                    continue
                if writer is None:
                    writer = open_units[unit.index] = UnitWriter(unit, state, options)
                writer.add(result)
                warnings.extend(result.warnings)
                _keep_samples(report.samples, result.samples)
                progress.advance(result.stats.read, result.stats.bytes_in)
                if result.last:
                    writer.commit()
                    report.stats.merge(writer.stats)
                    del open_units[unit.index]
    finally:
        results.close()  # stops the worker pool now, also when a write failed
        progress.close()
        for writer in open_units.values():
            writer.abort()
    warnings.flush()
    report.warnings = warnings.kept

    report.quarantine_file = quarantine_file = options.quarantine or default_quarantine(out)
    if report.stats.quarantined:
        assemble_segments(state, units, "quarantine", quarantine_file)
    elif options.quarantine is None:
        quarantine_file.unlink(missing_ok=True)  # a stale file from an earlier run would mislead
        report.quarantine_file = None
    if options.log_edits is not None:
        assemble_segments(state, units, "edits", options.log_edits)
    report.seconds = time.monotonic() - start
    if options.stats_json is not None:
        with _writing(None, options.stats_json):
            write_stats_json(options.stats_json, report, len(units))
    # A complete run leaves only outputs behind; a run with failed inputs keeps its
    # markers so that --resume redoes just those.
    state.cleanup(complete=not report.failed_inputs)
    return report


def _keep_samples(kept: dict[str, list[Any]], new: dict[str, list[Any]]) -> None:
    """The first samples of each rule in input order, whatever the number of workers."""
    from cleaner.report import SAMPLES_PER_RULE

    for rule_id, samples in new.items():
        bucket = kept.setdefault(rule_id, [])
        bucket.extend(samples[: SAMPLES_PER_RULE - len(bucket)])


@contextmanager
def _writing(unit: Unit | None, path: Path | None = None) -> Iterator[None]:
    """Turn a failed write (disk full, permissions, closed stdout) into an OutputError naming the file."""
    try:
        yield
    except BrokenPipeError:
        raise OutputError("stdout was closed before the output was written", broken_pipe=True) from None
    except OSError as exc:
        name = exc.filename or path or (unit.target if unit is not None else None) or "<stdout>"
        raise OutputError(f"cannot write {name}: {exc.strerror or exc}") from None


def task_stream(units: list[Unit]) -> Iterator[Task]:
    """The tasks of `units` in order; an input that fails mid-way ends with a 'failed' task (its reason)."""
    for unit in units:
        try:
            yield from tasks_for(unit)
        except InputProblem as exc:
            yield Task(unit.index, -1, "failed", unit.name, str(exc), last=True)


def _total_bytes(units: list[Unit]) -> int | None:
    total = 0
    for u in units:
        if u.source is None or (u.fmt != "text" and str(u.source).endswith((".gz", ".zst", ".parquet"))):
            return None
        try:
            total += u.source.stat().st_size
        except OSError:
            return None
    return total


class UnitWriter:
    """Collects one unit's output and side files until its last task arrives."""

    def __init__(self, unit: Unit, state: RunState, options: RunOptions):
        self.unit = unit
        self.state = state
        self.options = options
        self.stats = RunStats()
        schema = None
        if unit.fmt == "parquet" and unit.source is not None:
            from cleaner.io.parquet import schema_of

            schema = schema_of(unit.source)
        self.sink: Sink = open_sink(unit, schema)
        self.side: dict[str, BinaryIO] = {}

    def _side(self, kind: str) -> BinaryIO:
        if kind not in self.side:
            self.side[kind] = open(str(self.state.segment(self.unit, kind)) + ".part", "wb")  # noqa: SIM115
        return self.side[kind]

    def add(self, result: TaskResult) -> None:
        self.sink.write(result.output)
        self.stats.merge(result.stats)
        if result.quarantine:
            self._side("quarantine").write(b"".join(dumps(q) + b"\n" for q in result.quarantine))
        if result.edit_log:
            self._side("edits").write(result.edit_log)

    def commit(self) -> None:
        self.sink.commit()
        for kind, fh in self.side.items():
            fh.close()
            os.replace(str(self.state.segment(self.unit, kind)) + ".part", self.state.segment(self.unit, kind))
        for kind in ("quarantine", "edits"):
            if kind not in self.side:
                self.state.segment(self.unit, kind).unlink(missing_ok=True)
        self.state.commit(self.unit, self.stats, self.sink.wrote_target)

    def abort(self) -> None:
        """Forget everything of this unit; never raises (it runs while another error unwinds)."""
        with suppress(OSError):
            self.sink.abort()
        for kind, fh in self.side.items():
            with suppress(OSError):
                fh.close()
            Path(str(self.state.segment(self.unit, kind)) + ".part").unlink(missing_ok=True)


def assemble_segments(state: RunState, units: list[Unit], kind: str, dest: Path) -> None:
    """Concatenate the committed segments of every unit, in input order, atomically."""
    tmp = dest.with_name(f".{dest.name}.part")
    with _writing(None, dest):
        try:
            dest.parent.mkdir(parents=True, exist_ok=True)
            with open(tmp, "wb") as out:
                for unit in units:
                    segment = state.segment(unit, kind)
                    if segment.exists():
                        with open(segment, "rb") as fh:
                            while chunk := fh.read(1 << 20):
                                out.write(chunk)
            os.replace(tmp, dest)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise


def write_stats_json(path: Path, report: RunReport, inputs: int, largest_worker_mb: float | None = None) -> None:
    """The counts and totals as JSON; `largest_worker_mb` when workers are not this process's children (Ray)."""
    peak = peak_rss_mb()
    if largest_worker_mb is not None:
        peak["largest_worker"] = largest_worker_mb
    data: dict[str, Any] = report.stats.to_dict()
    data["totals"].update(
        {
            "inputs": inputs,
            "inputs_failed": len(report.failed_inputs),
            "inputs_resumed": report.resumed,
            "wall_seconds": round(report.seconds, 3),
            "balanced": report.stats.balanced,
            "peak_rss_mb": peak,
        }
    )
    data["failed_inputs"] = report.failed_inputs
    data["quarantine_file"] = str(report.quarantine_file) if report.quarantine_file else None
    write_atomic(path, json.dumps(data, indent=2, ensure_ascii=False).encode("utf-8") + b"\n")


def peak_rss_mb() -> dict[str, float]:
    """Peak resident memory of this process and of the largest finished worker, in MB."""
    import resource

    main = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {"main": round(main, 1), "largest_worker": round(workers, 1)}


class _Warnings:
    """Print the first warnings as they come; count the rest."""

    def __init__(self) -> None:
        self.count = 0
        self.kept: list[str] = []

    def add(self, message: str) -> None:
        self.count += 1
        if len(self.kept) < MAX_REPORTED:
            self.kept.append(message)
        if self.count <= MAX_WARNINGS:
            print(f"warning: {message}", file=sys.stderr)

    def extend(self, messages: list[str]) -> None:
        for m in messages:
            self.add(m)

    def flush(self) -> None:
        if self.count > MAX_WARNINGS:
            print(
                f"warning: … and {self.count - MAX_WARNINGS} more warnings (see the quarantine file)", file=sys.stderr
            )
