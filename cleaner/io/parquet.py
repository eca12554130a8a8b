"""Parquet input and output through pyarrow, an optional extra (`pip install 'scrape-cleaner[parquet]'`)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from cleaner.errors import InputProblem

BATCH_ROWS = 2000


def require_pyarrow() -> Any:
    try:
        import pyarrow
        import pyarrow.parquet
    except ImportError:
        raise InputProblem("reading Parquet needs pyarrow: pip install 'scrape-cleaner[parquet]'") from None
    return pyarrow


def iter_batches(path: Path) -> Iterator[Any]:
    pa = require_pyarrow()
    yield from pa.parquet.ParquetFile(path).iter_batches(batch_size=BATCH_ROWS)


def schema_of(path: Path) -> Any:
    pa = require_pyarrow()
    return pa.parquet.ParquetFile(path).schema_arrow


class ParquetSink:
    """Writes batches with the input's schema; rows keep every column, in order."""

    def __init__(self, path: Path, schema: Any):
        pa = require_pyarrow()
        self.pa = pa
        self.schema = schema
        self.writer = pa.parquet.ParquetWriter(path, schema)

    def write_rows(self, rows: list[dict[str, Any]]) -> None:
        if rows:
            self.writer.write_table(self.pa.Table.from_pylist(rows, schema=self.schema))

    def close(self) -> None:
        self.writer.close()
