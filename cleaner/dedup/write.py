"""Pass 2: read every input again and write what stays, in the layout of `cleaner run`.

A kept record is written byte for byte as it came unless passages were removed from it
(then its text field is replaced and the record re-serialized); a duplicate is left out
and counted; a record that cannot be read is quarantined with its reason, as `run` does.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from cleaner.dedup.decide import KEEP, Decisions
from cleaner.dedup.options import DedupOptions
from cleaner.dedup.passages import remove_lines
from cleaner.dedup.records import Bad, Doc, iter_docs
from cleaner.io.files import is_html
from cleaner.io.jsonl import dumps
from cleaner.runner.tasks import Task
from cleaner.runner.work import TaskResult
from cleaner.stats import RunStats

SHOWN_CHARS = 3000
SHOWN_PASSAGES = 20


class UnitOutput:
    """Turns one input's tasks into TaskResults, numbering its documents as the scan did."""

    def __init__(self, first_doc: int, decisions: Decisions, options: DedupOptions, log_edits: bool):
        self.next_doc = first_doc
        self.decisions = decisions
        self.options = options
        self.log_edits = log_edits
        self.captured: dict[int, str] = {}  # texts of the documents the report shows side by side
        self.passages: list[tuple[str, str]] = []  # (document, passage): the first removed passages

    def task(self, task: Task) -> TaskResult:
        if task.kind == "failed":
            return TaskResult(task.unit, task.seq, None, RunStats(), failed=task.payload, last=True)
        stats = RunStats()
        quarantine: list[dict[str, Any]] = []
        warnings: list[str] = []
        log: list[bytes] = []
        out: list[Any] = []
        for doc in iter_docs(task, self.options):
            stats.read += 1
            if isinstance(doc, Bad):
                stats.quarantined += 1
                where = "" if doc.number is None else f":{doc.number}"
                warnings.append(f"{task.source}{where}: {doc.reason}")
                quarantine.append(_quarantine_entry(task.source, doc))
                continue
            stats.bytes_in += _size(doc, task)
            if doc.warning:
                warnings.append(doc.warning)
            g = self.next_doc
            self.next_doc += 1
            if g in self.decisions.show:
                self.captured[g] = doc.text[:SHOWN_CHARS]
            if self.decisions.kind[g] != KEEP:
                continue
            text, edits = doc.text, []
            drop = self.decisions.passage_lines(g)
            if drop:
                text, edits = remove_lines(doc.text, drop)
                stats.add_edits(edits)
                for e in edits[: max(0, SHOWN_PASSAGES - len(self.passages))]:
                    self.passages.append((doc.doc_id, e.before))
                if self.log_edits:
                    for e in edits:
                        entry = {"doc": doc.doc_id, "source": task.source, "record": doc.number, **e.as_dict()}
                        log.append(dumps(entry) + b"\n")
            stats.written += 1
            out.append(self._output(task, doc, text, bool(edits)))
        output = self._join(task, out)
        stats.bytes_out += (
            sum(len(o) for o in out)
            if task.kind != "parquet"
            else sum(len(r[self.options.text_field].encode("utf-8")) for r in out)
        )
        return TaskResult(task.unit, task.seq, output, stats, quarantine, b"".join(log), warnings, last=task.last)

    def _output(self, task: Task, doc: Doc, text: str, edited: bool) -> Any:
        field = self.options.text_field
        if task.kind == "text":
            return text.encode("utf-8") if edited or is_html(task.source) else doc.raw
        if task.kind == "jsonl":
            if not edited:
                return doc.raw if doc.raw.endswith(b"\n") else doc.raw + b"\n"
            assert doc.record is not None
            doc.record[field] = text
            return dumps(doc.record) + b"\n"
        return {**doc.raw, field: text} if edited else doc.raw

    @staticmethod
    def _join(task: Task, out: list[Any]) -> Any:
        if task.kind == "text":
            return out[0] if out else None
        if task.kind == "jsonl":
            return b"".join(out)
        if task.kind == "parquet":
            return out
        return None


def _size(doc: Doc, task: Task) -> int:
    if task.kind == "parquet":
        return len(doc.text.encode("utf-8"))
    return len(doc.raw)


def _quarantine_entry(source: str, bad: Bad) -> dict[str, Any]:
    entry: dict[str, Any] = {"source": source, "line": bad.number, "id": bad.doc_id, "reason": bad.reason}
    if bad.raw:
        try:
            entry["record"] = bad.raw.decode("utf-8").rstrip("\r\n")
        except UnicodeDecodeError:
            entry["record_base64"] = base64.b64encode(bad.raw).decode("ascii")
    elif bad.record is not None:
        entry["record"] = json.loads(json.dumps(bad.record, default=str))
    return entry
