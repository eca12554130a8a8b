"""The work a worker does on one task: parse, clean, serialize, count.

Runs in worker processes (or inline with one worker). The pipeline is set once per
process by `set_pipeline`, never shipped per task. A document that cannot be cleaned
becomes a quarantine entry with its reason; nothing here raises for bad data.
"""

from __future__ import annotations

import base64
from contextlib import suppress
from dataclasses import dataclass, field
from typing import Any

from cleaner.engine import Pipeline
from cleaner.errors import InputProblem, RuleTimeout
from cleaner.io.decode import normalize_newlines
from cleaner.io.files import is_html
from cleaner.io.html import extract_html
from cleaner.io.inputs import read_input
from cleaner.io.jsonl import RecordProblem, dumps, parse_record, record_id
from cleaner.model import Result
from cleaner.report import SampleCollector
from cleaner.runner import beacon
from cleaner.runner.deadline import RecordTimeout, deadlines, record_budget, record_deadline
from cleaner.runner.options import RunOptions
from cleaner.runner.tasks import Task
from cleaner.stats import RunStats

_PIPELINE: Pipeline | None = None
_OPTIONS: RunOptions | None = None


def set_pipeline(pipeline: Pipeline, options: RunOptions) -> None:
    global _PIPELINE, _OPTIONS
    _PIPELINE, _OPTIONS = pipeline, options


WARM_UP_TEXT = "Advertisement\nThe café’s menu — caf\u00e9 , naïve résumé.\n\n  Read more  \nBody text.\n"


def warm_up() -> None:
    """Load what the first record would load lazily (word lists, the HTML extractor), before
    workers are forked from this process: once for all of them, and outside any record's budget."""
    assert _PIPELINE is not None and _OPTIONS is not None, "set_pipeline() first"
    with suppress(Exception):  # a rule failing here fails on the records too, where it is reported
        _PIPELINE.apply(WARM_UP_TEXT)
    if _OPTIONS.html_field is not None:
        import trafilatura  # noqa: F401


@dataclass
class TaskResult:
    unit: int
    seq: int
    output: Any  # jsonl: bytes; text: bytes | None; parquet: list of rows
    stats: RunStats
    quarantine: list[dict[str, Any]] = field(default_factory=list)
    edit_log: bytes = b""
    warnings: list[str] = field(default_factory=list)
    samples: dict[str, list[Any]] = field(default_factory=dict)  # a few edits per rule, for --report
    failed: str | None = None  # the whole unit could not be read: its output is discarded
    last: bool = False  # the unit's last task: its output can be committed


def run_task(task: Task) -> TaskResult:
    assert _PIPELINE is not None and _OPTIONS is not None, "set_pipeline() first"
    if task.kind == "failed":
        return TaskResult(task.unit, task.seq, None, RunStats(), failed=task.payload, last=True)
    worker = _Worker(_PIPELINE, _OPTIONS, task)
    with deadlines():
        if task.kind == "unreadable":
            worker.stats.read += 1
            worker.reject(task.source, None, task.payload)
            output = None
        elif task.kind == "text":
            output = worker.text(task.payload)
        elif task.kind == "jsonl":
            output = worker.jsonl(task.payload)
        else:
            output = worker.parquet(*task.payload)
    samples = worker.samples.samples if worker.samples is not None else {}
    return TaskResult(task.unit, task.seq, output, worker.stats, worker.quarantine, b"".join(worker.log),
                      worker.warnings, samples, last=task.last)  # fmt: skip


class _Worker:
    def __init__(self, pipeline: Pipeline, options: RunOptions, task: Task):
        self.pipeline = pipeline
        self.options = options
        self.task = task
        self.stats = RunStats()
        self.quarantine: list[dict[str, Any]] = []
        self.log: list[bytes] = []
        self.warnings: list[str] = []
        self.samples = SampleCollector() if options.report is not None else None

    def clean(self, doc_id: str, line: int | None, text: str) -> tuple[Result | None, str | None]:
        """Clean one text; (None, reason) when it must be quarantined.

        Line ends become `\n` first (as text files' do when decoded), so a CRLF or lone-CR
        record is cleaned line by line and comes out with `\n`, changed or not.
        """
        text = normalize_newlines(text)
        try:
            result = self.pipeline.apply(text)
        except RuleTimeout as exc:
            return None, str(exc)
        except Exception as exc:  # a bug must cost one record, not the run
            return None, f"unexpected error while cleaning: {exc!r}"
        self.stats.add_edits(result.edits)
        if self.samples is not None and result.edits:
            self.samples.add(doc_id, text, result.edits)
        if self.options.log_edits is not None:
            for e in result.edits:
                entry = {"doc": doc_id, "source": self.task.source, "record": line, **e.as_dict()}
                self.log.append(dumps(entry) + b"\n")
        return result, None

    def reject(self, doc_id: str | None, line: int | None, reason: str, record: Any = None, raw: bytes = b"") -> None:
        """Quarantine one record (or text file) with its reason, and say so on stderr: `file[:line]: reason`."""
        self.warnings.append(f"{self.task.source}{'' if line is None else f':{line}'}: {reason}")
        entry: dict[str, Any] = {"source": self.task.source, "line": line, "id": doc_id, "reason": reason}
        if raw:
            try:
                entry["record"] = raw.decode("utf-8").rstrip("\r\n")
            except UnicodeDecodeError:
                entry["record_base64"] = base64.b64encode(raw).decode("ascii")
        elif record is not None:
            entry["record"] = record
        self.quarantine.append(entry)
        self.stats.quarantined += 1

    def keep(self, text: str) -> bool:
        """False when the cleaned text is empty and empty documents are dropped."""
        if self.options.drop_empty and not text.strip():
            self.stats.dropped_empty += 1
            return False
        self.stats.written += 1
        return True

    def budget(self, size: int) -> float:
        """Seconds one record of `size` bytes or characters may take, extraction and rules together."""
        return record_budget(self.options.record_timeout, size)

    def text(self, data: bytes) -> bytes | None:
        name = self.task.source
        self.stats.read += 1
        self.stats.bytes_in += len(data)
        try:
            with record_deadline(self.budget(len(data))):
                beacon.mark(0, extracting=is_html(name))
                decoded = read_input(name, data, strict=self.options.strict, extract=self.pipeline.extract)
                self.warnings.extend(f"{name}: {w}" for w in decoded.warnings)
                beacon.mark(0)
                result, problem = self.clean(name, None, decoded.text)
        except (InputProblem, RecordTimeout) as exc:
            self.reject(name, None, str(exc))
            return None
        if result is None:
            self.reject(name, None, problem or "")
            return None
        if not self.keep(result.text):
            return None
        out = result.text.encode("utf-8")
        self.stats.bytes_out += len(out)
        return out

    def jsonl(self, lines: list[tuple[int, bytes]]) -> bytes:
        out: list[bytes] = []
        field_name = self.options.text_field
        html_field = self.options.html_field
        for index, (number, raw) in enumerate(lines):
            beacon.mark(index)
            if not raw.strip():
                continue  # a blank line holds no record
            self.stats.read += 1
            self.stats.bytes_in += len(raw)
            try:
                record = self._parse(number, raw)
            except RecordProblem as exc:
                doc_id = None if exc.record is None else record_id(exc.record, self.options.id_field, number)
                self.reject(doc_id, number, str(exc), raw=raw)
                continue
            doc_id = record_id(record, self.options.id_field, number)
            try:
                with record_deadline(self.budget(len(raw))):
                    if html_field is not None:
                        try:
                            beacon.mark(index, extracting=True)
                            text = extract_html(record[html_field], self.pipeline.extract)
                            beacon.mark(index)
                        except InputProblem as exc:
                            self.reject(doc_id, number, f"field {html_field!r}: {exc}", raw=raw)
                            continue
                    else:
                        text = record[field_name]
                    result, problem = self.clean(doc_id, number, text)
            except RecordTimeout as exc:
                self.reject(doc_id, number, str(exc), raw=raw)
                continue
            if result is None:
                self.reject(doc_id, number, problem or "", raw=raw)
                continue
            if not self.keep(result.text):
                continue
            if result.edits or html_field is not None or result.text != text:
                record[field_name] = result.text
                line = dumps(record) + b"\n"
            else:
                line = raw if raw.endswith(b"\n") else raw + b"\n"  # untouched records keep their bytes
            self.stats.bytes_out += len(line)
            out.append(line)
        return b"".join(out)

    def _parse(self, number: int, raw: bytes) -> dict[str, Any]:
        field_name = self.options.html_field or self.options.text_field
        try:
            return parse_record(raw, field_name)
        except RecordProblem as exc:
            if "invalid UTF-8" not in str(exc) or self.options.strict:
                raise
        text = raw.decode("utf-8", errors="replace")
        self.warnings.append(f"{self.task.source}:{number}: invalid UTF-8 replaced with U+FFFD")
        return parse_record(text.encode("utf-8"), field_name)

    def parquet(self, first_row: int, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        kept: list[dict[str, Any]] = []
        field_name = self.options.text_field
        for i, row in enumerate(rows):
            beacon.mark(i)
            number = first_row + i + 1
            self.stats.read += 1
            value = row.get(field_name)
            doc_id = record_id(row, self.options.id_field, number)
            if not isinstance(value, str):
                kind = "missing" if field_name not in row else ("null" if value is None else type(value).__name__)
                self.reject(doc_id, number, f"field {field_name!r} is {kind}, not a string", record=_jsonable(row))
                continue
            self.stats.bytes_in += len(value.encode("utf-8"))
            try:
                with record_deadline(self.budget(len(value))):
                    result, problem = self.clean(doc_id, number, value)
            except RecordTimeout as exc:
                result, problem = None, str(exc)
            if result is None:
                self.reject(doc_id, number, problem or "", record=_jsonable(row))
                continue
            if not self.keep(result.text):
                continue
            self.stats.bytes_out += len(result.text.encode("utf-8"))
            kept.append({**row, field_name: result.text} if result.edits or result.text != value else row)
        return kept


def _jsonable(row: dict[str, Any]) -> dict[str, Any]:
    """Parquet values (dates, bytes, decimals) as JSON-safe values for the quarantine file."""
    import json

    return json.loads(json.dumps(row, default=str))


def merged_result(task: Task, parts: list[TaskResult]) -> TaskResult:
    """The result of `task` from the results of its halves (see `tasks.split_task`), in order."""
    stats = RunStats()
    samples: dict[str, list[Any]] = {}
    for part in parts:
        stats.merge(part.stats)
        for rule_id, found in part.samples.items():
            samples.setdefault(rule_id, []).extend(found)
    outputs = [part.output for part in parts]
    output: Any = b"".join(outputs) if task.kind == "jsonl" else [row for rows in outputs for row in rows]
    return TaskResult(task.unit, task.seq, output, stats, [q for part in parts for q in part.quarantine],
                      b"".join(part.edit_log for part in parts), [w for part in parts for w in part.warnings],
                      samples, last=task.last)  # fmt: skip


def crashed_result(task: Task, reason: str) -> TaskResult:
    """Every record of a task whose worker died twice, quarantined with the reason."""
    assert _OPTIONS is not None
    worker = _Worker(_PIPELINE, _OPTIONS, task)  # type: ignore[arg-type]
    if task.kind in ("text", "unreadable"):
        worker.stats.read += 1
        worker.reject(task.source, None, reason)
        return TaskResult(task.unit, task.seq, None, worker.stats, worker.quarantine, warnings=worker.warnings,
                          last=task.last)  # fmt: skip
    if task.kind == "jsonl":
        for number, raw in task.payload:
            if raw.strip():
                worker.stats.read += 1
                worker.reject(None, number, reason, raw=raw)
        return TaskResult(task.unit, task.seq, b"", worker.stats, worker.quarantine, warnings=worker.warnings,
                          last=task.last)  # fmt: skip
    first_row, rows = task.payload
    for i, row in enumerate(rows):
        worker.stats.read += 1
        worker.reject(None, first_row + i + 1, reason, record=_jsonable(row))
    return TaskResult(task.unit, task.seq, [], worker.stats, worker.quarantine, warnings=worker.warnings,
                      last=task.last)  # fmt: skip
