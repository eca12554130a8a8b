"""Open files by their compression suffix (.gz, .zst), for reading and for writing.

Compressed outputs mirror their inputs: `a.jsonl.zst` in gives `a.jsonl.zst` out.
"""

from __future__ import annotations

import gzip
import io
from pathlib import Path
from typing import BinaryIO


def compression_of(path: Path | str) -> str:
    name = str(path).lower()
    if name.endswith(".gz"):
        return "gz"
    if name.endswith(".zst"):
        return "zst"
    return ""


def open_read(path: Path) -> BinaryIO:
    raw = open(path, "rb")  # noqa: SIM115 - returned to the caller, who closes it
    return wrap_read(raw, compression_of(path))


def wrap_read(raw: BinaryIO, kind: str) -> BinaryIO:
    """Decompress `raw` (any readable binary stream, e.g. a pyarrow file) like `kind`."""
    if kind == "gz":
        return gzip.GzipFile(fileobj=raw, mode="rb")  # type: ignore[return-value]
    if kind == "zst":
        import zstandard

        return zstandard.ZstdDecompressor().stream_reader(raw, closefd=True)  # type: ignore[return-value]
    return raw


def open_write(path: Path, kind: str) -> BinaryIO:
    """A writer that compresses like `kind`; closing it closes the file."""
    raw = open(path, "wb")  # noqa: SIM115
    return wrap_write(raw, kind)


def wrap_write(raw: BinaryIO, kind: str) -> BinaryIO:
    """Compress into `raw` (any writable binary stream) like `kind`; closing it closes `raw`."""
    if kind == "gz":
        # mtime=0 keeps output bytes identical from run to run.
        return gzip.GzipFile(filename="", fileobj=raw, mode="wb", mtime=0, compresslevel=6)  # type: ignore[return-value]
    if kind == "zst":
        import zstandard

        return zstandard.ZstdCompressor(level=3).stream_writer(raw, closefd=True)  # type: ignore[return-value]
    return raw


def line_reader(stream: BinaryIO) -> io.BufferedReader | BinaryIO:
    """Buffered line iteration for any of the streams above."""
    if isinstance(stream, io.BufferedReader | gzip.GzipFile):
        return stream
    return io.BufferedReader(stream, buffer_size=1 << 20)  # type: ignore[arg-type]
