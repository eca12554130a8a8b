"""Plan a run: which inputs, in which format, written where.

A folder `D` cleaned into `OUT` writes `OUT/<path relative to D>`; a file `F` writes
`OUT/<name of F>`; a glob writes paths relative to the glob's fixed prefix. Outputs
keep their input's name, hence format and compression. Without `-o`, one file or stdin
goes to stdout.
"""

from __future__ import annotations

import glob
from dataclasses import dataclass
from pathlib import Path

from cleaner.io.files import UsageError, walk
from cleaner.io.formats import format_of, output_name

GLOB_CHARS = set("*?[")


@dataclass(frozen=True)
class Unit:
    """One input stream and where its cleaned output goes (None: stdout)."""

    index: int
    source: Path | None  # None: stdin
    target: Path | None
    fmt: str

    @property
    def name(self) -> str:
        return str(self.source) if self.source is not None else "<stdin>"


def plan_units(inputs: list[str], out: Path | None, stdin_format: str = "text") -> list[Unit]:
    if not inputs or inputs == ["-"]:
        if out is not None:
            raise UsageError("stdin is cleaned to stdout; drop -o or give input paths")
        return [Unit(0, None, None, stdin_format)]
    if "-" in inputs:
        raise UsageError("'-' (stdin) cannot be combined with other inputs")
    pairs = _expand(inputs, out.resolve() if out is not None else None)
    if out is None:
        if len(pairs) == 1 and len(inputs) == 1 and Path(inputs[0]).is_file():
            src = pairs[0][0]
            if format_of(src) == "parquet":
                raise UsageError("Parquet output cannot go to stdout: add -o OUT")
            return [Unit(0, src, None, format_of(src))]
        raise UsageError("several inputs (or a folder) need an output folder: add -o OUT")
    if out.exists() and not out.is_dir():
        raise UsageError(f"output {out} exists and is not a folder")
    units: list[Unit] = []
    seen: dict[Path, Path] = {}
    for src, rel in pairs:
        target = out / rel.parent / output_name(rel.name)
        if target.resolve() == src.resolve():
            raise UsageError(f"output {target} would overwrite its input")
        if target in seen:
            raise UsageError(f"{src} and {seen[target]} would both be written to {target}")
        seen[target] = src
        units.append(Unit(len(units), src, target, format_of(src)))
    return units


def _expand(inputs: list[str], skip: Path | None) -> list[tuple[Path, Path]]:
    """(file, path relative to its output folder) for every input, in a stable order."""
    pairs: list[tuple[Path, Path]] = []
    for raw in inputs:
        path = Path(raw)
        if path.is_dir():
            pairs.extend((f, f.relative_to(path)) for f in walk(path, skip=skip))
        elif path.exists():
            pairs.append((path, Path(path.name)))
        elif GLOB_CHARS & set(raw):
            base = _glob_base(raw)
            matches = sorted(Path(m) for m in glob.glob(raw, recursive=True) if Path(m).is_file())
            if not matches:
                raise UsageError(f"no file matches {raw}")
            pairs.extend((m, m.relative_to(base)) for m in matches)
        else:
            raise UsageError(f"input {raw} does not exist")
    return pairs


def _glob_base(pattern: str) -> Path:
    parts = Path(pattern).parts
    fixed = []
    for part in parts:
        if GLOB_CHARS & set(part):
            break
        fixed.append(part)
    return Path(*fixed) if fixed else Path(".")
