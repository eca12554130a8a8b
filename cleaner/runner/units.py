"""Plan a run: which inputs, in which format, written where.

A folder `D` cleaned into `OUT` writes `OUT/<path relative to D>`; a file `F` writes
`OUT/<name of F>`; a glob writes paths relative to the glob's fixed prefix. Outputs
keep their input's name, hence format and compression. Without `-o`, one file or stdin
goes to stdout.
"""

from __future__ import annotations

import fnmatch
import glob
import os
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from cleaner.io.files import UsageError, walk
from cleaner.io.formats import format_of, known_input, output_name

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


def plan_units(
    inputs: list[str],
    out: Path | None,
    stdin_format: str = "text",
    own_files: Iterable[Path] = (),
    skipped: list[str] | None = None,
    include: Sequence[str] = (),
) -> list[Unit]:
    """The units of a run. `own_files` are files the run writes besides its outputs
    (quarantine, stats, edit log): never read as input, even inside an input folder.
    Entries of input folders that are not regular files are described in `skipped`,
    and so (in one summary line) are files of formats cleaner does not read, which a
    folder walk leaves out unless a glob in `include` matches their name or relative path."""
    if not inputs or inputs == ["-"]:
        if out is not None:
            raise UsageError("stdin is cleaned to stdout; drop -o or give input paths")
        return [Unit(0, None, None, stdin_format)]
    if "-" in inputs:
        raise UsageError("'-' (stdin) cannot be combined with other inputs")
    own = {_real(p) for p in own_files}
    skip = [*own, *([_real(out)] if out is not None else [])]
    for raw in inputs:
        if _real(Path(raw)) in own:
            raise UsageError(f"input {raw} is also a file this run writes")
    pairs = _expand(inputs, skip, skipped, include)
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
        if _real(target) == _real(src):
            raise UsageError(f"output {target} would overwrite its input")
        if target in seen:
            raise UsageError(f"{src} and {seen[target]} would both be written to {target}")
        seen[target] = src
        units.append(Unit(len(units), src, target, format_of(src)))
    return units


def input_files(inputs: list[str], skipped: list[str] | None = None) -> list[Path]:
    """The files `inputs` (files, folders, globs) name, in the order a run reads them.

    For commands that read a corpus without writing one (`cleaner mine`); raises
    UsageError for an input that does not exist or a glob that matches nothing.
    """
    return [path for path, _ in _expand(inputs, [], skipped)]


def _under(path: Path, skip: list[Path]) -> bool:
    return any(path == p or p in path.parents for p in skip)


def _real(path: Path | str) -> Path:
    """The real path; unlike Path.resolve() never raises (symlink loops included)."""
    return Path(os.path.realpath(path))


def _expand(
    inputs: list[str], skip: list[Path], skipped: list[str] | None, include: Sequence[str] = ()
) -> list[tuple[Path, Path]]:
    """(file, path relative to its output folder) for every input, in a stable order."""
    pairs: list[tuple[Path, Path]] = []
    unknown: list[Path] = []
    for raw in inputs:
        path = Path(raw)
        if path.is_dir():
            for f in walk(path, skip, skipped):
                rel = f.relative_to(path)
                if known_input(f.name) or included(rel, include):
                    pairs.append((f, rel))
                else:
                    unknown.append(f)
        elif path.exists():
            pairs.append((path, Path(path.name)))
        elif GLOB_CHARS & set(raw):
            base = _glob_base(raw)
            matches = sorted(
                Path(m) for m in glob.glob(raw, recursive=True) if Path(m).is_file() and not _under(_real(m), skip)
            )
            if not matches:
                raise UsageError(f"no file matches {raw}")
            pairs.extend((m, m.relative_to(base)) for m in matches)
        elif path.is_symlink():
            raise UsageError(f"input {raw} is a broken symlink or a symlink loop")
        else:
            raise UsageError(f"input {raw} does not exist")
    if unknown and skipped is not None:
        skipped.append(unknown_summary(unknown))
    return pairs


def included(rel: Path, include: Sequence[str]) -> bool:
    return any(fnmatch.fnmatchcase(rel.name, g) or fnmatch.fnmatchcase(rel.as_posix(), g) for g in include)


def unknown_summary(files: Sequence[Path]) -> str:
    """One line for the files a folder walk left out: counts per suffix, a few names, the way to read them."""
    by_suffix = Counter(f.suffix.lower() or "" for f in files)
    counts = ", ".join(f"{n} *{suffix}" if suffix else f"{n} without a suffix" for suffix, n in by_suffix.most_common())
    names = ", ".join(str(f) for f in files[:5]) + (", ..." if len(files) > 5 else "")
    return (
        f"skipped {len(files)} file(s) in input folders that are not a format cleaner reads ({counts}): {names}; "
        "to read such files as text, add --include GLOB (e.g. --include '*.md')"
    )


def _glob_base(pattern: str) -> Path:
    parts = Path(pattern).parts
    fixed = []
    for part in parts:
        if GLOB_CHARS & set(part):
            break
        fixed.append(part)
    return Path(*fixed) if fixed else Path(".")
