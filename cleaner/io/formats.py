"""What kind of input a path is, and what its output is called."""

from __future__ import annotations

from pathlib import Path

RECORD_SUFFIXES = (".jsonl", ".jsonl.gz", ".jsonl.zst", ".ndjson", ".ndjson.gz", ".ndjson.zst")


def format_of(path: Path | str) -> str:
    """'jsonl', 'parquet' or 'text' (one document per file: plain text or an HTML page)."""
    name = str(path).lower()
    if name.endswith(RECORD_SUFFIXES):
        return "jsonl"
    if name.endswith(".parquet"):
        return "parquet"
    return "text"


def output_name(name: str) -> str:
    """Outputs keep their input's name (so format and compression); pages become `.txt`."""
    from cleaner.io.files import output_name as page_aware_name

    return page_aware_name(name)
