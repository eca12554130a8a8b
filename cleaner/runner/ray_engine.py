"""The Ray engine: the local engine's tasks, read, cleaned and written on a Ray cluster.

    TaskSource (Ray Data read: one block per task, as the local engine cuts them)
      → map_batches(CleanTasks): actors, each compiling the Pipeline once; every task is
        cleaned by `work.run_task`, as in a local worker; its output, quarantine entries
        and edit-log lines are written as parts under OUT/.cleaner-run/ray/; a one-row
        summary (counts, warnings) comes back
      → the driver checks that every task of every input came back and adds the counts
      → Ray tasks join each input's parts, in order, into its output file: same name,
        format and compression as the local engine writes
      → the driver joins the quarantine and edit-log parts in input order.

So records, ids, quarantine entries, edit-log lines and counts are the local engine's.
Ray is imported only by this module and `ray_read`, and only when `--engine ray` is asked for.
"""

from __future__ import annotations

import importlib
import io
import json
import logging
import os
import posixpath
import resource
import time
import warnings
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from cleaner.engine import Pipeline
from cleaner.io.compress import compression_of
from cleaner.io.files import UsageError
from cleaner.io.jsonl import dumps
from cleaner.runner.local import RunReport, _Warnings, default_quarantine, write_stats_json
from cleaner.runner.options import RunOptions
from cleaner.runner.pool import TaskRunner
from cleaner.runner.remote import (
    RemoteUnit,
    atomic_output,
    delete_dir,
    exists,
    is_uri,
    read_file,
    resolve,
    write_file,
)
from cleaner.runner.state import STATE_DIR
from cleaner.runner.tasks import Task
from cleaner.runner.work import set_pipeline
from cleaner.stats import RunStats

RAY_MISSING = "--engine ray needs Ray: pip install 'scrape-cleaner[ray]'"
PART_KINDS = ("out", "quarantine", "edits")
TEST_HOOK = "CLEANER_TEST_HOOK"  # a module the actors import first (tests: fault injection)


class RayRunError(Exception):
    """The cluster failed the run (a worker could not read or write, the cluster went away): exit 1."""


def require_ray() -> Any:
    try:
        import ray
        import ray.data
    except ImportError:
        raise UsageError(RAY_MISSING) from None
    return ray


def run_ray(
    units: list[RemoteUnit], pipeline: Pipeline, options: RunOptions, out: str, address: str | None = None
) -> RunReport:
    """Clean `units` on the Ray cluster at `address` (None: the one already connected, else a new local one)."""
    if options.resume:
        raise UsageError("--resume is not supported with --engine ray: rerun the whole corpus")
    with ray_session(address) as ray:
        try:
            return _run(ray, units, pipeline, options, out)
        except ray.exceptions.RayError as exc:
            raise RayRunError(f"the Ray run failed, outputs may be incomplete: {exc}") from exc


@contextmanager
def ray_session(address: str | None) -> Iterator[Any]:
    """The `ray` module, joined to the cluster at `address` (None: the one already connected, else a new
    local one, shut down on leaving). Shared by `run` and `dedup`, so both start Ray the same way."""
    ray = require_ray()
    with warnings.catch_warnings():
        # Ray's advice (more actors than a small input has blocks, future defaults) is not the user's concern.
        warnings.filterwarnings("ignore", module=r"ray\.")
        started = False
        if not ray.is_initialized():
            try:
                ray.init(address=address, include_dashboard=False, log_to_driver=False, logging_level=logging.ERROR,
                         runtime_env=_runtime_env())  # fmt: skip
            except Exception as exc:  # ConnectionError, a version mismatch, …: nothing was written
                raise UsageError(f"cannot join the Ray cluster at {address or 'a new local cluster'}: {exc}") from None
            started = True
        try:
            yield ray
        finally:
            if started:
                ray.shutdown()


def _runtime_env() -> dict[str, Any] | None:
    """The driver's CLEANER_* variables, passed on to the workers (which a cluster starts with its own)."""
    env = {k: v for k, v in os.environ.items() if k.startswith("CLEANER_")}
    return {"env_vars": env} if env else None


def _run(ray: Any, units: list[RemoteUnit], pipeline: Pipeline, options: RunOptions, out: str) -> RunReport:
    import ray.data

    from cleaner.runner.ray_read import TaskSource

    start = time.monotonic()
    ctx = ray.data.DataContext.get_current()
    ctx.enable_progress_bars = options.progress
    logging.getLogger("ray.data").setLevel(logging.ERROR)  # our own summary says what happened
    out_fs, out_path = resolve(out)
    delete_dir(out_fs, posixpath.join(out_path, STATE_DIR))  # an earlier run's state no longer applies
    workers = options.workers or max(1, int(ray.cluster_resources().get("CPU", 1)))

    report = RunReport(RunStats())
    summaries: list[dict[str, Any]] = []
    if units:
        in_fs = resolve(units[0].root or units[0].path)[0]
        names = [u.name for u in units]
        # Reading is light (decompression, splitting lines): it takes no CPU slot from the cleaners.
        ds = ray.data.read_datasource(TaskSource(units, in_fs), num_cpus=0)
        ds = ds.map_batches(
            CleanTasks,
            fn_constructor_args=(pipeline, options, out, names),
            batch_size=None,  # a block is one task
            batch_format="pyarrow",
            compute=ray.data.ActorPoolStrategy(size=workers),
            num_cpus=1,
        )
        summaries = ds.take_all()

    done = _check(units, summaries, report)
    _assemble_outputs(ray, done, out, workers)
    notes = _Warnings()
    for _, tasks in done:
        for t in tasks:
            notes.extend(json.loads(t["warnings"]))
            report.stats.merge(RunStats.from_dict(json.loads(t["stats"])))
    notes.flush()
    report.warnings = notes.kept

    stage = _stage(out_path)
    report.quarantine_file = options.quarantine or _default_quarantine(out)  # type: ignore[assignment]
    q_fs, q_path = resolve(str(report.quarantine_file))
    if report.stats.quarantined:
        write_file(q_fs, q_path, _parts(out_fs, stage, done, "quarantine"))
    elif options.quarantine is None:
        if exists(q_fs, q_path):
            q_fs.delete_file(q_path)  # a stale file from an earlier run would mislead
        report.quarantine_file = None
    if options.log_edits is not None:
        e_fs, e_path = resolve(str(options.log_edits))
        write_file(e_fs, e_path, _parts(out_fs, stage, done, "edits"))
    delete_dir(out_fs, posixpath.join(out_path, STATE_DIR))
    report.seconds = time.monotonic() - start
    if options.stats_json is not None:
        largest = max((t["rss_mb"] for t in summaries), default=0.0)
        write_stats_json(options.stats_json, report, len(units), largest_worker_mb=largest)
    return report


def _default_quarantine(out: str) -> str:
    if is_uri(out):
        return out.rstrip("/") + ".quarantine.jsonl"
    return str(default_quarantine(Path(out)))


def _stage(out_path: str) -> str:
    return posixpath.join(out_path, STATE_DIR, "ray")


def part_path(stage: str, unit: int, seq: int, kind: str) -> str:
    return posixpath.join(stage, f"{unit:06d}", f"{seq:08d}.{kind}")


def _check(
    units: list[RemoteUnit], summaries: list[dict[str, Any]], report: RunReport
) -> list[tuple[RemoteUnit, list[dict[str, Any]]]]:
    """The units whose every task came back; the others are reported as failed inputs."""
    by_unit: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for s in summaries:
        by_unit[s["unit"]].append(s)
    done = []
    for unit in units:
        tasks = sorted(by_unit.get(unit.index, []), key=lambda t: t["seq"])
        failed = next((t["failed"] for t in tasks if t["failed"] is not None), None)
        if failed is None and (
            not tasks or not tasks[-1]["last"] or [t["seq"] for t in tasks] != list(range(len(tasks)))
        ):
            failed = "some of its batches never came back from the cluster"
        if failed is not None:
            report.failed_inputs.append(f"{unit.name}: {failed}")
            continue
        done.append((unit, tasks))
    return done


def _parts(fs: Any, stage: str, done: list[tuple[RemoteUnit, list[dict[str, Any]]]], kind: str) -> Any:
    for unit, tasks in done:
        for t in tasks:
            if kind in t["parts"]:
                yield read_file(fs, part_path(stage, unit.index, t["seq"], kind))


def _assemble_outputs(ray: Any, done: list[tuple[RemoteUnit, list[dict[str, Any]]]], out: str, workers: int) -> int:
    """Join every unit's output parts into its target, in Ray tasks (a few units each)."""
    jobs = [(u, [t["seq"] for t in tasks if "out" in t["parts"]]) for u, tasks in done]
    if not jobs:
        return 0
    groups = [jobs[i :: min(len(jobs), 4 * workers)] for i in range(min(len(jobs), 4 * workers))]
    assemble = ray.remote(num_cpus=1)(assemble_units)
    return sum(ray.get([assemble.remote(group, out) for group in groups]))


def assemble_units(jobs: list[tuple[RemoteUnit, list[int]]], out: str) -> int:
    """Write each unit's output file from its parts; a unit without parts writes nothing (text, quarantined)."""
    fs, out_path = resolve(out)
    stage = _stage(out_path)
    wrote = 0
    for unit, seqs in jobs:
        if unit.fmt == "parquet":
            _assemble_parquet(fs, stage, unit, seqs)
        elif unit.fmt == "text" and not seqs:
            continue
        else:
            parts = (read_file(fs, part_path(stage, unit.index, s, "out")) for s in seqs)
            write_file(fs, unit.target, parts, compression_of(unit.target))
        wrote += 1
    return wrote


def _assemble_parquet(fs: Any, stage: str, unit: RemoteUnit, seqs: list[int]) -> None:
    import pyarrow.parquet as pq

    from cleaner.runner.ray_read import read_ipc

    schema = read_ipc(read_file(fs, part_path(stage, unit.index, seqs[-1], "out"))).schema  # the last part has it
    with atomic_output(fs, unit.target) as raw, pq.ParquetWriter(raw, schema) as writer:
        for s in seqs:
            table = read_ipc(read_file(fs, part_path(stage, unit.index, s, "out")))
            if table.num_rows:
                writer.write_table(table)


class CleanTasks:
    """The map_batches actor: compiles the Pipeline once, then cleans one task per row.

    Each task runs in a worker process the actor watches (`pool.TaskRunner`), exactly as
    the local engine runs it: a record past its budget is quarantined alone, a worker
    that crashes is replaced and its batch narrowed down to the record that crashes it,
    a worker stuck past `--task-timeout` is killed. So the actor itself never dies of a
    bad record, and Ray writes what the local engine writes.
    """

    def __init__(self, pipeline: Pipeline, options: RunOptions, out: str, names: list[str]):
        hook = os.environ.get(TEST_HOOK)
        if hook:  # tests inject faults into workers they did not fork (tests/faulty.py)
            importlib.import_module(hook)
        set_pipeline(pipeline, options)  # `pipeline` arrived as rule texts and was compiled in this process
        self.fs, out_path = resolve(out)
        self.stage = _stage(out_path)
        self.names = names
        self.crashes: list[str] = []
        self.runner = TaskRunner(self._crashed, options.task_timeout)

    def _crashed(self, task: Task) -> None:
        self.crashes.append(f"{task.source}: a worker crashed; retrying its batch alone")

    def __call__(self, batch: Any) -> Any:
        import pyarrow as pa

        rows = [self._clean(task) for task in batch.to_pylist()]
        return pa.Table.from_pylist(rows, schema=summary_schema())

    def _clean(self, row: dict[str, Any]) -> dict[str, Any]:
        from cleaner.runner.ray_read import ipc_bytes, read_ipc

        unit, seq, kind, data = row["unit"], row["seq"], row["kind"], row["data"]
        summary = {"unit": unit, "seq": seq, "last": row["last"], "failed": None, "stats": "", "warnings": "[]",
                   "parts": [], "rss_mb": _rss_mb()}  # fmt: skip
        if kind == "failed":
            summary["failed"] = data.decode("utf-8", errors="replace")
            return summary
        table = None
        if kind == "jsonl":
            payload: Any = list(enumerate(io.BytesIO(data), row["first"]))
        elif kind == "parquet":
            table = read_ipc(data)
            payload = (row["first"] - 1, table.to_pylist())
        elif kind == "unreadable":
            payload = data.decode("utf-8", errors="replace")
        else:
            payload = data
        task = Task(unit, seq, kind, self.names[unit], payload, last=row["last"], raw_bytes=row["raw_bytes"])
        self.crashes = []
        result = self.runner.run(task)
        result.warnings[:0] = self.crashes
        parts: dict[str, bytes] = {}
        if table is not None:
            import pyarrow as pa

            kept = pa.Table.from_pylist(result.output, schema=table.schema)
            parts["out"] = ipc_bytes(table.schema, kept.to_batches())
        elif result.output:
            parts["out"] = result.output
        if result.quarantine:
            parts["quarantine"] = b"".join(dumps(q) + b"\n" for q in result.quarantine)
        if result.edit_log:
            parts["edits"] = result.edit_log
        for name, content in parts.items():
            write_file(self.fs, part_path(self.stage, unit, seq, name), [content])
        summary.update(stats=json.dumps(result.stats.to_dict()), warnings=json.dumps(result.warnings),
                       parts=sorted(parts), rss_mb=_rss_mb())  # fmt: skip
        return summary


def summary_schema() -> Any:
    import pyarrow as pa

    return pa.schema(
        [
            ("unit", pa.int64()),
            ("seq", pa.int64()),
            ("last", pa.bool_()),
            ("failed", pa.string()),
            ("stats", pa.string()),
            ("warnings", pa.string()),
            ("parts", pa.list_(pa.string())),
            ("rss_mb", pa.float64()),
        ]
    )


def _rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
