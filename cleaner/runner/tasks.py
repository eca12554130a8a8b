"""Cutting inputs into tasks: batches of raw records small enough to keep memory flat.

Reading and decompression happen in the parent; parsing and cleaning in workers, so
the parent ships raw bytes (cheap to pickle) and gets finished output bytes back.
"""

from __future__ import annotations

import codecs
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from cleaner.errors import InputProblem
from cleaner.io.compress import line_reader, open_read
from cleaner.runner.units import Unit

BATCH_LINES = 1000
BATCH_BYTES = 1 << 20


@dataclass
class Task:
    unit: int
    seq: int
    kind: str  # "text", "jsonl", "parquet"; "unreadable" or "failed" carry a reason instead
    source: str
    payload: Any
    last: bool = False
    raw_bytes: int = 0


def split_task(task: Task) -> tuple[Task, Task] | None:
    """A record batch cut in two halves (in order), to find the record a crash comes from;
    None when there is nothing left to cut (one record, or a text file: one document)."""
    if task.kind == "jsonl" and len(task.payload) > 1:
        half = len(task.payload) // 2
        parts: tuple[Any, Any] = (task.payload[:half], task.payload[half:])
    elif task.kind == "parquet" and len(task.payload[1]) > 1:
        first_row, rows = task.payload
        half = len(rows) // 2
        parts = ((first_row, rows[:half]), (first_row + half, rows[half:]))
    else:
        return None
    return (
        Task(task.unit, task.seq, task.kind, task.source, parts[0]),
        Task(task.unit, task.seq, task.kind, task.source, parts[1]),
    )


def split_at(task: Task, index: int) -> tuple[Task | None, Task, Task | None]:
    """(the records before record `index`, that record alone, the records after it); None for an empty side."""
    if task.kind == "jsonl":
        lines = task.payload
        parts: list[Any] = [lines[:index], lines[index : index + 1], lines[index + 1 :]]
    else:
        first_row, rows = task.payload
        parts = [(first_row, rows[:index]), (first_row + index, rows[index : index + 1]),
                 (first_row + index + 1, rows[index + 1 :])]  # fmt: skip
    sizes = [len(p) if task.kind == "jsonl" else len(p[1]) for p in parts]
    made = [Task(task.unit, task.seq, task.kind, task.source, p) if n else None
            for p, n in zip(parts, sizes, strict=True)]  # fmt: skip
    assert made[1] is not None
    return made[0], made[1], made[2]


def tasks_for(unit: Unit) -> Iterator[Task]:
    """Tasks of one unit, in order; the last one has `last=True` (possibly empty)."""
    if unit.fmt == "text":
        try:
            data = _read_all(unit)
        except InputProblem as exc:  # one file is one document: quarantine it, go on
            yield Task(unit.index, 0, "unreadable", unit.name, str(exc), last=True)
            return
        yield Task(unit.index, 0, "text", unit.name, data, last=True, raw_bytes=len(data))
    elif unit.fmt == "jsonl":
        yield from _jsonl_tasks(unit)
    elif unit.fmt == "parquet":
        yield from _parquet_tasks(unit)
    else:  # pragma: no cover - formats are closed
        raise InputProblem(f"unknown format {unit.fmt}")


def _read_all(unit: Unit) -> bytes:
    try:
        if unit.source is None:
            return sys.stdin.buffer.read()
        return unit.source.read_bytes()
    except OSError as exc:
        raise InputProblem(f"cannot read: {exc.strerror or exc}") from None


def _jsonl_tasks(unit: Unit) -> Iterator[Task]:
    try:
        stream = sys.stdin.buffer if unit.source is None else open_read(unit.source)
    except OSError as exc:
        raise InputProblem(f"cannot read: {exc.strerror or exc}") from None
    try:
        for seq, (batch, size, last) in enumerate(jsonl_batches(stream)):
            yield Task(unit.index, seq, "jsonl", unit.name, batch, last=last, raw_bytes=size)
    finally:
        if unit.source is not None:
            stream.close()


def jsonl_batches(stream: Any) -> Iterator[tuple[list[tuple[int, bytes]], int, bool]]:
    """(numbered lines, their size, is it the last batch) of a decompressed stream; the last may be empty.

    Lines are split on `\n` only and numbered from 1, so ids and quarantine line numbers
    are the same whichever engine reads the stream. Unreadable streams raise InputProblem.
    """
    batch: list[tuple[int, bytes]] = []
    size = 0
    for number, raw in enumerate(_lines(stream), 1):
        if number == 1 and raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            raise InputProblem("UTF-16 (by its byte-order mark): JSON Lines must be UTF-8; convert with iconv")
        batch.append((number, raw))
        size += len(raw)
        if len(batch) >= BATCH_LINES or size >= BATCH_BYTES:
            yield batch, size, False
            batch, size = [], 0
    yield batch, size, True


def _lines(stream: Any) -> Iterator[bytes]:
    try:
        yield from line_reader(stream)
    except (OSError, EOFError, ValueError) as exc:
        # Truncated or corrupt compressed streams surface here (gzip, zstd, zlib errors).
        raise InputProblem(f"cannot read compressed stream: {exc}") from None
    except Exception as exc:  # zstandard.ZstdError and friends have no common base
        raise InputProblem(f"cannot read: {exc}") from None


def _parquet_tasks(unit: Unit) -> Iterator[Task]:
    from cleaner.io.parquet import iter_batches

    assert unit.source is not None
    row = 0
    seq = 0
    try:
        for batch in iter_batches(unit.source):
            rows = batch.to_pylist()
            yield Task(unit.index, seq, "parquet", unit.name, (row, rows), raw_bytes=batch.nbytes)
            row += len(rows)
            seq += 1
    except InputProblem:
        raise
    except Exception as exc:
        raise InputProblem(f"cannot read Parquet: {exc}") from None
    yield Task(unit.index, seq, "parquet", unit.name, (row, []), last=True)
