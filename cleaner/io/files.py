"""Which files a run reads and where each one's output goes.

A folder `D` cleaned into `OUT` writes `OUT/<path relative to D>`; a file `F` writes
`OUT/<name of F>`. An HTML page's output is text, so it is named `.txt`:
`a/b.html.gz` becomes `OUT/a/b.txt` (`output_name`). Walks never follow symlinked folders (no loops), skip hidden
entries, and never read back the output folder when it sits inside an input tree.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

HTML_SUFFIXES = (".html", ".htm", ".html.gz", ".htm.gz")


def is_html(name: str | Path) -> bool:
    """Whether an input is an HTML page (by its name), to be extracted rather than decoded."""
    return str(name).lower().endswith(HTML_SUFFIXES)


def output_name(name: str) -> str:
    """The output file name for an input name: pages become `.txt`, text keeps its name."""
    lower = name.lower()
    for suffix in sorted(HTML_SUFFIXES, key=len, reverse=True):
        if lower.endswith(suffix):
            return name[: -len(suffix)] + ".txt"
    return name


@dataclass(frozen=True)
class Job:
    source: Path
    target: Path | None  # None: write to stdout


class UsageError(Exception):
    """The command line asks for something impossible (exit code 2)."""


def plan_jobs(inputs: list[Path], out: Path | None) -> list[Job]:
    if out is None:
        if len(inputs) == 1 and inputs[0].is_file():
            return [Job(inputs[0], None)]
        raise UsageError("several inputs (or a folder) need an output folder: add -o OUT")
    if out.exists() and not out.is_dir():
        raise UsageError(f"output {out} exists and is not a folder")
    jobs: list[Job] = []
    seen: dict[Path, Path] = {}
    out_resolved = out.resolve()
    for src in inputs:
        if src.is_dir():
            pairs = [(f, out / _renamed(f.relative_to(src))) for f in walk(src, skip=out_resolved)]
        elif src.exists():
            pairs = [(src, out / output_name(src.name))]
        else:
            raise UsageError(f"input {src} does not exist")
        for f, target in pairs:
            if target.resolve() == f.resolve():
                raise UsageError(f"output {target} would overwrite its input")
            if target in seen:
                raise UsageError(f"{f} and {seen[target]} would both be written to {target}")
            seen[target] = f
            jobs.append(Job(f, target))
    return jobs


def _renamed(relative: Path) -> Path:
    return relative.with_name(output_name(relative.name))


def walk(root: Path, skip: Path | None = None) -> Iterator[Path]:
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        here = Path(dirpath)
        dirnames[:] = sorted(
            d for d in dirnames if not d.startswith(".") and (skip is None or (here / d).resolve() != skip)
        )
        for name in sorted(filenames):
            if not name.startswith("."):
                yield here / name


def write_atomic(target: Path, data: bytes) -> None:
    """Write under a temporary name in the same folder, then rename: no partial files."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
