"""A corpus read as `cleaner run` reads it, one document at a time, for commands that only look.

Inputs resolve as `run`'s do (files, folders, globs; `-` or nothing is stdin), and
each input is cut into the same tasks (`runner.tasks.tasks_for`): a text file or an
HTML page is one document (pages extracted with the rule set's `[extract]`
settings), a JSONL or Parquet record is one document. Nothing is written, so a record
that cannot be read is not quarantined but counted and described in `skipped`
(`file:line: reason`), and the count of documents read plus skipped is every record.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from cleaner.errors import InputProblem
from cleaner.extract import ExtractSettings
from cleaner.io.formats import format_of
from cleaner.io.html import extract_html
from cleaner.io.inputs import read_input
from cleaner.io.jsonl import RecordProblem, parse_record
from cleaner.runner.tasks import Task, tasks_for
from cleaner.runner.units import Unit, input_files


@dataclass(frozen=True)
class CorpusDoc:
    name: str  # the file, or `file:line` for a record
    text: str
    source: str = ""  # the value of the `by` field ("" without one)


@dataclass
class CorpusLog:
    """What reading a corpus met: documents read, and why others were skipped."""

    documents: int = 0
    skipped: list[str] = field(default_factory=list)
    inputs: int = 0
    no_source: int = 0  # records without a usable `by` field, counted under ""


@dataclass(frozen=True)
class CorpusSpec:
    paths: tuple[str, ...] = ()
    stdin_format: str = "text"
    text_field: str = "text"
    html_field: str | None = None
    by: str | None = None  # a record field naming the source of each record (e.g. a domain)
    extract: ExtractSettings = field(default_factory=ExtractSettings)


def read_corpus(spec: CorpusSpec, log: CorpusLog, skipped_entries: list[str] | None = None) -> Iterator[CorpusDoc]:
    """Every readable document of the corpus, in input order (UsageError for a missing input)."""
    paths = list(spec.paths)
    if not paths or paths == ["-"]:
        units = [Unit(0, None, None, spec.stdin_format)]
    else:
        units = [Unit(i, p, None, format_of(p)) for i, p in enumerate(input_files(paths, skipped_entries))]
    log.inputs = len(units)
    for unit in units:
        try:
            for task in tasks_for(unit):
                yield from _documents(task, spec, log)
        except InputProblem as exc:
            log.skipped.append(f"{unit.name}: {exc}; the rest of this input is skipped")


def _documents(task: Task, spec: CorpusSpec, log: CorpusLog) -> Iterator[CorpusDoc]:
    if task.kind in ("unreadable", "failed"):
        log.skipped.append(f"{task.source}: {task.payload}")
    elif task.kind == "text":
        try:
            decoded = read_input(task.source, task.payload, extract=spec.extract)
        except InputProblem as exc:
            log.skipped.append(f"{task.source}: {exc}")
            return
        log.documents += 1
        yield CorpusDoc(task.source, decoded.text)
    elif task.kind == "jsonl":
        for number, raw in task.payload:
            if raw.strip():
                doc = _record(task.source, number, raw, spec, log)
                if doc is not None:
                    log.documents += 1
                    yield doc
    else:
        first_row, rows = task.payload
        for i, row in enumerate(rows):
            name = f"{task.source}:{first_row + i + 1}"
            value = row.get(spec.text_field)
            if not isinstance(value, str):
                log.skipped.append(f"{name}: field {spec.text_field!r} is not a string")
                continue
            log.documents += 1
            yield CorpusDoc(name, value, _source(row, spec.by, log))


def _record(file: str, number: int, raw: bytes, spec: CorpusSpec, log: CorpusLog) -> CorpusDoc | None:
    """One JSONL record's document; bad UTF-8 is replaced (as `run` does without --strict)."""
    name = f"{file}:{number}"
    field_name = spec.html_field or spec.text_field
    try:
        try:
            record = parse_record(raw, field_name)
        except RecordProblem as exc:
            if "invalid UTF-8" not in str(exc):
                raise
            record = parse_record(raw.decode("utf-8", errors="replace").encode("utf-8"), field_name)
        text = record[field_name]
        if spec.html_field is not None:
            text = extract_html(text, spec.extract)
    except (RecordProblem, InputProblem) as exc:
        log.skipped.append(f"{name}: {exc}")
        return None
    return CorpusDoc(name, text, _source(record, spec.by, log))


def _source(record: dict[str, Any], by: str | None, log: CorpusLog) -> str:
    if by is None:
        return ""
    value = record.get(by)
    if isinstance(value, str | int | float) and not isinstance(value, bool) and str(value):
        return str(value)
    log.no_source += 1
    return ""


def describe(log: CorpusLog) -> str:
    """One line for stderr: documents read, and how many were skipped."""
    skipped = f", {len(log.skipped)} skipped" if log.skipped else ""
    return f"{log.documents} document(s) read from {log.inputs} input(s){skipped}"
