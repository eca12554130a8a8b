"""Reading inputs with Ray Data into the same tasks the local engine cleans.

`ray.data.read_json` would re-type every field through an Arrow schema (1.50 becomes
1.5, integers beyond 64 bits fail, one malformed line fails the file) and has no line
numbers; `read_text` splits on Unicode line breaks and decodes. So inputs are read by
a file-based datasource of our own: JSONL lines split on `\\n` and numbered from 1, as
raw bytes; Parquet in batches of rows with their row numbers; a text file whole. Each
block is one task (about 1 MB of lines, or 2000 rows), so ids, quarantine line numbers
and untouched bytes are exactly the local engine's.

Imported only when Ray is installed (it subclasses a Ray class).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pyarrow as pa
from ray.data.datasource import FileBasedDatasource

from cleaner.errors import InputProblem
from cleaner.io.compress import compression_of, wrap_read
from cleaner.io.parquet import BATCH_ROWS
from cleaner.runner.remote import RemoteUnit
from cleaner.runner.tasks import jsonl_batches

# One row per task. `first`: the first line (JSONL) or row (Parquet) number, from 1.
TASK_SCHEMA = pa.schema(
    [
        ("unit", pa.int64()),
        ("seq", pa.int64()),
        ("kind", pa.string()),  # jsonl, parquet, text; unreadable (a text file) or failed (the input)
        ("first", pa.int64()),
        ("data", pa.large_binary()),  # JSONL lines, a Parquet batch as Arrow IPC, file bytes, or a reason
        ("last", pa.bool_()),
        ("raw_bytes", pa.int64()),
    ]
)


def task_block(unit: int, seq: int, kind: str, data: bytes, last: bool, first: int = 0, raw_bytes: int = 0) -> pa.Table:
    row = {"unit": [unit], "seq": [seq], "kind": [kind], "first": [first], "data": [data], "last": [last],
           "raw_bytes": [raw_bytes]}  # fmt: skip
    return pa.Table.from_pydict(row, schema=TASK_SCHEMA)


class TaskSource(FileBasedDatasource):
    """Every input file of a run, read into task blocks in order (one read task streams one file)."""

    def __init__(self, units: list[RemoteUnit], filesystem: Any):
        super().__init__([u.path for u in units], filesystem=filesystem)
        self._units = {filesystem.normalize_path(u.path): (u.index, u.fmt) for u in units}

    def _open_input_source(self, filesystem: Any, path: str, **open_args: Any) -> Any:
        # Parquet needs random access; compressed JSONL is decompressed by us, as locally.
        if self._units[path][1] == "parquet":
            return filesystem.open_input_file(path)
        return filesystem.open_input_stream(path, compression=None)

    def _read_stream(self, f: Any, path: str) -> Iterator[pa.Table]:
        index, fmt = self._units[path]
        if fmt == "jsonl":
            yield from _jsonl_blocks(index, f, path)
        elif fmt == "parquet":
            yield from _parquet_blocks(index, f)
        else:
            try:
                data = f.read()
            except OSError as exc:  # one file is one document: it is quarantined, the run goes on
                yield task_block(index, 0, "unreadable", f"cannot read: {exc}".encode(), True)
                return
            yield task_block(index, 0, "text", data, True, raw_bytes=len(data))


def _jsonl_blocks(index: int, f: Any, path: str) -> Iterator[pa.Table]:
    seq = 0
    try:
        for lines, size, last in jsonl_batches(wrap_read(f, compression_of(path))):
            first = lines[0][0] if lines else 0
            yield task_block(index, seq, "jsonl", b"".join(raw for _, raw in lines), last, first, size)
            seq += 1
    except InputProblem as exc:
        yield task_block(index, seq, "failed", str(exc).encode(), True)


def _parquet_blocks(index: int, f: Any) -> Iterator[pa.Table]:
    import pyarrow.parquet as pq

    seq = 0
    row = 0
    try:
        parquet = pq.ParquetFile(f)
        schema = parquet.schema_arrow
        for batch in parquet.iter_batches(batch_size=BATCH_ROWS):
            yield task_block(index, seq, "parquet", ipc_bytes(schema, [batch]), False, row + 1, batch.nbytes)
            row += batch.num_rows
            seq += 1
    except Exception as exc:
        yield task_block(index, seq, "failed", f"cannot read Parquet: {exc}".encode(), True)
        return
    yield task_block(index, seq, "parquet", ipc_bytes(schema, []), True, row + 1)  # carries the schema


def ipc_bytes(schema: pa.Schema, batches: list[pa.RecordBatch]) -> bytes:
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, schema) as writer:
        for batch in batches:
            writer.write_batch(batch)
    return sink.getvalue().to_pybytes()


def read_ipc(data: bytes) -> pa.Table:
    return pa.ipc.open_stream(data).read_all()
