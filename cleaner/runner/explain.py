"""What `cleaner explain` reads: one input (a text file, a page, JSONL plain or compressed, Parquet,
stdin), cleaned by the run's own worker, with each document's text and result kept.

Going through the same tasks and worker as `cleaner run` (reading, decompression, batching,
record parsing, the invalid-UTF-8 fallback, `--html-field` extraction, newline handling) is what
makes explain show exactly the edits a run makes; a second reader would drift from it.
Records left out by `wanted` are not cleaned, so `--id` on a large corpus costs a read, not a run.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cleaner.engine import Pipeline
from cleaner.errors import InputProblem
from cleaner.io.decode import normalize_newlines
from cleaner.model import Result
from cleaner.runner.options import RunOptions
from cleaner.runner.tasks import Task, tasks_for
from cleaner.runner.units import Unit
from cleaner.runner.work import _Worker

Wanted = Callable[[str, int | None], bool]  # (record id, record line) -> explain it?


@dataclass(frozen=True)
class Explained:
    """One document as the rules saw it, and what they did."""

    source: str
    line: int | None  # the record's line (JSONL) or row (Parquet); None for a whole file
    id: str
    text: str  # after newline normalisation, as the rules saw it
    result: Result


@dataclass
class Explanation:
    docs: list[Explained] = field(default_factory=list)
    rejected: list[dict[str, Any]] = field(default_factory=list)  # quarantine entries: source, line, id, reason
    warnings: list[str] = field(default_factory=list)


class _Keeping(_Worker):
    """The run's worker, keeping each wanted document's text and result instead of only its output."""

    def __init__(self, pipeline: Pipeline, options: RunOptions, task: Task, wanted: Wanted, into: Explanation):
        super().__init__(pipeline, options, task)
        self.wanted = wanted
        self.into = into

    def clean(self, doc_id: str, line: int | None, text: str) -> tuple[Result | None, str | None]:
        if not self.wanted(doc_id, line):
            return Result(text), None  # not asked about: skip the rules
        result, problem = super().clean(doc_id, line, text)
        if result is not None:
            self.into.docs.append(Explained(self.task.source, line, doc_id, normalize_newlines(text), result))
        return result, problem


def explain_input(path: Path | None, fmt: str, pipeline: Pipeline, options: RunOptions, wanted: Wanted) -> Explanation:
    """Clean one input (None: stdin, in format `fmt`) as `cleaner run` would; raises InputProblem if unreadable."""
    found = Explanation()
    for task in tasks_for(Unit(0, path, None, fmt)):
        if task.kind in ("failed", "unreadable"):
            raise InputProblem(task.payload)
        worker = _Keeping(pipeline, options, task, wanted, found)
        if task.kind == "text":
            worker.text(task.payload)
        elif task.kind == "jsonl":
            worker.jsonl(task.payload)
        else:
            worker.parquet(*task.payload)
        found.rejected.extend(q for q in worker.quarantine if q.get("line") is None or wanted(q.get("id"), q["line"]))
        found.warnings.extend(worker.warnings)
    return found
