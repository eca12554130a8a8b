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


TEXT_SUFFIXES = (".txt", ".text")
PARQUET_SUFFIXES = (".parquet",)


def known_input(name: str) -> bool:
    """Whether a file found in an input folder is one cleaner reads by its name: text (.txt, .text),
    an HTML page (.html, .htm, .gz), JSONL (.jsonl, .ndjson, .gz, .zst) or Parquet. Anything else in a
    folder (source code, configs, images) is left out of a run unless --include names it."""
    from cleaner.io.files import HTML_SUFFIXES

    return name.lower().endswith((*TEXT_SUFFIXES, *HTML_SUFFIXES, *RECORD_SUFFIXES, *PARQUET_SUFFIXES))


def output_name(name: str) -> str:
    """Outputs keep their input's name (so format and compression); pages become `.txt`."""
    from cleaner.io.files import output_name as page_aware_name

    return page_aware_name(name)
