"""Where a unit's cleaned output goes: a file written under a temporary name, or stdout.

`commit()` renames the finished file into place, so a killed run never leaves a
partial file under a final name.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any, BinaryIO

from cleaner.io.compress import compression_of, open_write
from cleaner.io.files import temp_beside, write_atomic
from cleaner.runner.units import Unit


class Sink:
    """Receives a unit's task outputs in order."""

    wrote_target = True

    def write(self, output: Any) -> None:
        raise NotImplementedError

    def commit(self) -> None:
        """Make the output final (rename into place)."""

    def abort(self) -> None:
        """Forget a partial output."""


def open_sink(unit: Unit, source_schema: Any = None) -> Sink:
    if unit.target is None:
        return StdoutSink()
    if unit.fmt == "text":
        return TextFileSink(unit.target)
    if unit.fmt == "parquet":
        return ParquetFileSink(unit.target, source_schema)
    return StreamFileSink(unit.target)


def remove_leftovers(target: Path) -> None:
    """Delete temporary files an interrupted run left beside `target`."""
    if target.parent.is_dir():
        for leftover in target.parent.glob(f".{target.name}.*.part"):
            leftover.unlink(missing_ok=True)


class StdoutSink(Sink):
    def write(self, output: Any) -> None:
        if output:
            sys.stdout.buffer.write(output)

    def commit(self) -> None:
        sys.stdout.buffer.flush()


class TextFileSink(Sink):
    """A text unit is one document: its output arrives whole, or not at all (quarantined)."""

    def __init__(self, target: Path):
        self.target = target
        self.data: bytes | None = None

    def write(self, output: Any) -> None:
        self.data = output

    @property
    def wrote_target(self) -> bool:  # type: ignore[override]
        return self.data is not None

    def commit(self) -> None:
        if self.data is not None:
            write_atomic(self.target, self.data)


class TempFileSink(Sink):
    """Streams into a temporary file beside the target; `commit` renames it into place.

    Subclasses open `self.writer` on `self.tmp`; anything with a `close()` will do.
    """

    writer: Any

    def __init__(self, target: Path):
        self.target = target
        self.tmp = temp_beside(target)

    def commit(self) -> None:
        self.writer.close()
        os.replace(self.tmp, self.target)

    def abort(self) -> None:
        try:
            self.writer.close()
        finally:
            self.tmp.unlink(missing_ok=True)


class StreamFileSink(TempFileSink):
    """JSONL, compressed like its input."""

    def __init__(self, target: Path):
        super().__init__(target)
        self.writer: BinaryIO = open_write(self.tmp, compression_of(target))

    def write(self, output: Any) -> None:
        if output:
            self.writer.write(output)


class ParquetFileSink(TempFileSink):
    def __init__(self, target: Path, schema: Any):
        from cleaner.io.parquet import ParquetSink

        super().__init__(target)
        self.writer = ParquetSink(self.tmp, schema)

    def write(self, output: Any) -> None:
        self.writer.write_rows(output)
