"""The documents of one task, read the same way by both passes.

Both passes must see the same documents in the same order: the scan numbers them, the
write pass looks their fate up by that number. A record that cannot be used is a `Bad`
(quarantined by the write pass) and takes no number.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from cleaner.dedup.options import DedupOptions
from cleaner.errors import InputProblem
from cleaner.io.decode import normalize_newlines
from cleaner.io.files import is_html
from cleaner.io.inputs import read_input
from cleaner.io.jsonl import RecordProblem, parse_record, record_id
from cleaner.runner.tasks import Task


@dataclass
class Doc:
    number: int | None  # line (JSONL) or row (Parquet) number; None for a text file
    doc_id: str
    text: str  # line ends normalised to \n
    raw: Any  # JSONL: the line's bytes; text file: its bytes; Parquet: the row
    record: dict[str, Any] | None  # JSONL record or Parquet row
    changed: bool = False  # the text differs from the raw input's (decoding, line ends, HTML)
    by: str | None = None  # the --by field's value
    warning: str | None = None


@dataclass
class Bad:
    number: int | None
    doc_id: str | None
    reason: str
    raw: bytes = b""
    record: Any = None


def iter_docs(task: Task, options: DedupOptions) -> Iterator[Doc | Bad]:
    if task.kind == "unreadable":
        yield Bad(None, task.source, task.payload)
    elif task.kind == "text":
        yield _text_doc(task, options)
    elif task.kind == "jsonl":
        yield from _jsonl_docs(task, options)
    elif task.kind == "parquet":
        yield from _parquet_docs(task, options)


def _text_doc(task: Task, options: DedupOptions) -> Doc | Bad:
    data: bytes = task.payload
    try:
        decoded = read_input(task.source, data, strict=options.strict)
    except InputProblem as exc:
        return Bad(None, task.source, str(exc))
    changed = is_html(task.source) or decoded.text.encode("utf-8") != data
    warning = f"{task.source}: {'; '.join(decoded.warnings)}" if decoded.warnings else None
    return Doc(None, task.source, decoded.text, data, None, changed, None, warning)


def _jsonl_docs(task: Task, options: DedupOptions) -> Iterator[Doc | Bad]:
    for number, raw in task.payload:
        if not raw.strip():
            continue  # a blank line holds no record
        warning = None
        try:
            record = parse_record(raw, options.text_field)
        except RecordProblem as exc:
            if "invalid UTF-8" in str(exc) and not options.strict:
                try:
                    record = parse_record(raw.decode("utf-8", errors="replace").encode("utf-8"), options.text_field)
                except RecordProblem as again:
                    yield _bad_record(again, number, raw, options)
                    continue
                warning = f"{task.source}:{number}: invalid UTF-8 replaced with U+FFFD"
            else:
                yield _bad_record(exc, number, raw, options)
                continue
        text = record[options.text_field]
        normal = normalize_newlines(text)
        yield Doc(number, record_id(record, options.id_field, number), normal, raw, record,
                  normal != text or warning is not None, _by(record, options), warning)  # fmt: skip


def _bad_record(exc: RecordProblem, number: int, raw: bytes, options: DedupOptions) -> Bad:
    doc_id = None if exc.record is None else record_id(exc.record, options.id_field, number)
    return Bad(number, doc_id, str(exc), raw=raw)


def _parquet_docs(task: Task, options: DedupOptions) -> Iterator[Doc | Bad]:
    first_row, rows = task.payload
    field = options.text_field
    for i, row in enumerate(rows):
        number = first_row + i + 1
        value = row.get(field)
        doc_id = record_id(row, options.id_field, number)
        if not isinstance(value, str):
            kind = "missing" if field not in row else ("null" if value is None else type(value).__name__)
            yield Bad(number, doc_id, f"field {field!r} is {kind}, not a string", record=row)
            continue
        normal = normalize_newlines(value)
        yield Doc(number, doc_id, normal, row, row, normal != value, _by(row, options))


def _by(record: dict[str, Any], options: DedupOptions) -> str | None:
    if options.by_field is None:
        return None
    value = record.get(options.by_field)
    return None if value is None else str(value)
