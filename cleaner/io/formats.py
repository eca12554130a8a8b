"""What kind of input a path is, and what its output is called."""

from __future__ import annotations

from pathlib import Path

RECORD_SUFFIXES = (".jsonl", ".jsonl.gz", ".jsonl.zst", ".ndjson", ".ndjson.gz", ".ndjson.zst")


def format_of(path: Path | str) -> str:
    """'jsonl', 'parquet' or 'text'."""
    name = str(path).lower()
    if name.endswith(RECORD_SUFFIXES):
        return "jsonl"
    if name.endswith(".parquet"):
        return "parquet"
    return "text"


def output_name(name: str) -> str:
    """Outputs keep their input's name (and so its format and compression)."""
    return name
