"""Inputs and outputs on any filesystem pyarrow knows (local, `s3://`, `gs://`, `hdfs://`…).

Used by the Ray engine, whose workers may run on other machines: every location is a
string (an absolute local path or a URI) that each process resolves for itself. Local
inputs are planned exactly as the local engine plans them (same names, same layout).
"""

from __future__ import annotations

import fnmatch
import os
import posixpath
import uuid
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from cleaner.io.compress import wrap_write
from cleaner.io.files import UsageError
from cleaner.io.formats import format_of, known_input, output_name
from cleaner.runner.units import GLOB_CHARS, included, plan_units, unknown_summary


@dataclass(frozen=True)
class RemoteUnit:
    """One input file and its output, as filesystem paths (see `resolve`)."""

    index: int
    name: str  # as the user named it: shown in warnings, the quarantine file and the edit log
    path: str  # the input, on the input filesystem
    target: str  # the output, on the output filesystem
    fmt: str
    root: str = ""  # a location on the input filesystem, to resolve it by (empty: local)


def is_uri(location: str) -> bool:
    return "://" in location


def resolve(location: str) -> tuple[Any, str]:
    """(pyarrow filesystem, path on it) for a local path or a URI."""
    import pyarrow.fs as pafs

    if is_uri(location):
        return pafs.FileSystem.from_uri(location)
    return pafs.LocalFileSystem(), os.path.abspath(location)


def to_location(fs: Any, path: str, like: str) -> str:
    """A path on `fs` back as a location string with the scheme of `like`, to show (`s3://bucket/key`)."""
    if not is_uri(like):
        return path
    return f"{like.split('://', 1)[0]}://{path}"


def plan_remote_units(
    inputs: list[str], out: str, include: Sequence[str] = (), skipped: list[str] | None = None
) -> list[RemoteUnit]:
    """Plan a run whose inputs or output may be URIs. All inputs share one filesystem.
    Folder walks read known formats and files `include` matches, as `plan_units` does."""
    if not inputs or "-" in inputs:
        raise UsageError("--engine ray reads files, not stdin: give input paths")
    if not any(map(is_uri, [*inputs, out])):
        units = [RemoteUnit(u.index, u.name, os.path.abspath(u.source), os.path.abspath(u.target), u.fmt)  # type: ignore[arg-type]
                 for u in plan_units(inputs, Path(out), skipped=skipped, include=include)]  # fmt: skip
    else:
        units = _plan_uris(inputs, out, include, skipped)
    seen: dict[str, str] = {}
    for u in units:  # one read stream per file: a file named twice would be cleaned once, written twice
        if u.path in seen:
            raise UsageError(f"{u.name} is among the inputs twice: name each input once")
        seen[u.path] = u.name
    return units


def _plan_uris(
    inputs: list[str], out: str, include: Sequence[str] = (), skipped: list[str] | None = None
) -> list[RemoteUnit]:
    import pyarrow.fs as pafs

    schemes = {i.split("://", 1)[0] if is_uri(i) else "file" for i in inputs}
    if len(schemes) > 1:
        raise UsageError(f"inputs must all be on one filesystem, not {', '.join(sorted(schemes))}")
    out_fs, out_path = _resolve_for_planning(out)
    pairs = []
    for raw in inputs:
        glob_base = _glob_base(raw) if GLOB_CHARS & set(raw) else None
        fs, path = _resolve_for_planning(glob_base or (raw if glob_base is None else "."))
        skip = out_path if type(fs) is type(out_fs) else None
        if glob_base is not None:  # fnmatch rules: `*` matches across `/` too
            pattern = path.rstrip("/") + "/" + raw[len(glob_base) :].lstrip("/")
            found = [(p, rel) for p, rel in _walk(fs, path, skip) if fnmatch.fnmatchcase(p, pattern)]
            if not found:
                raise UsageError(f"no file matches {raw}")
        else:
            found = list(_expand(fs, path, raw, skip))
            if fs.get_file_info(path).type != pafs.FileType.File:  # a folder: known formats and --include only
                keep = [known_input(rel) or included(PurePosixPath(rel), include) for _, rel in found]
                left = [PurePosixPath(p) for (p, _), k in zip(found, keep, strict=True) if not k]
                found = [f for f, k in zip(found, keep, strict=True) if k]
                if left and skipped is not None:
                    skipped.append(unknown_summary(left))
        pairs.extend((to_location(fs, p, raw), p, rel, glob_base or raw) for p, rel in found)
    units: list[RemoteUnit] = []
    seen: dict[str, str] = {}
    for name, path, rel, root in pairs:
        target = posixpath.join(out_path, posixpath.dirname(rel), output_name(posixpath.basename(rel)))
        if target in seen:
            raise UsageError(f"{name} and {seen[target]} would both be written to {target}")
        seen[target] = name
        units.append(RemoteUnit(len(units), name, path, target, format_of(path), root if is_uri(root) else ""))
    return units


def _resolve_for_planning(location: str) -> tuple[Any, str]:
    try:
        return resolve(location)
    except (OSError, ValueError) as exc:
        raise UsageError(f"cannot open {location}: {exc}") from None


def _expand(fs: Any, path: str, raw: str, skip: str | None) -> Iterator[tuple[str, str]]:
    """(file path, path relative to its output folder), in a stable order."""
    import pyarrow.fs as pafs

    info = fs.get_file_info(path)
    if info.type == pafs.FileType.File:
        yield path, posixpath.basename(path)
    elif info.type == pafs.FileType.Directory:
        yield from _walk(fs, path, skip)
    else:
        raise UsageError(f"input {raw} does not exist")


def _walk(fs: Any, root: str, skip: str | None) -> Iterator[tuple[str, str]]:
    """Files under `root`, sorted; hidden names and the output folder are skipped."""
    import pyarrow.fs as pafs

    found = fs.get_file_info(pafs.FileSelector(root, recursive=True, allow_not_found=True))
    for info in sorted(found, key=lambda i: i.path):
        if info.type != pafs.FileType.File:
            continue
        rel = posixpath.relpath(info.path, root)
        if any(part.startswith(".") for part in rel.split("/")):
            continue
        if skip is not None and (info.path == skip or info.path.startswith(skip.rstrip("/") + "/")):
            continue
        yield info.path, rel


def _glob_base(pattern: str) -> str:
    fixed = []
    for part in pattern.split("/"):
        if GLOB_CHARS & set(part):
            break
        fixed.append(part)
    return "/".join(fixed)


@contextmanager
def atomic_output(fs: Any, path: str) -> Iterator[Any]:
    """A stream to `path` on `fs`, written under a temporary name and moved into place when complete."""
    parent = posixpath.dirname(path)
    fs.create_dir(parent, recursive=True)
    tmp = posixpath.join(parent, f".{posixpath.basename(path)}.{uuid.uuid4().hex[:8]}.part")
    try:
        with fs.open_output_stream(tmp) as raw:
            yield raw
        fs.move(tmp, path)
    except BaseException:
        _delete(fs, tmp)
        raise


def write_file(fs: Any, path: str, chunks: Iterable[bytes], compression: str = "") -> None:
    """Write `chunks` to `path` atomically, compressed like `compression` ("", "gz", "zst")."""
    with atomic_output(fs, path) as raw:
        stream = wrap_write(raw, compression)
        for chunk in chunks:
            stream.write(chunk)
        stream.close()


def read_file(fs: Any, path: str) -> bytes:
    with fs.open_input_stream(path) as f:
        return f.read()


def exists(fs: Any, path: str) -> bool:
    import pyarrow.fs as pafs

    return fs.get_file_info(path).type != pafs.FileType.NotFound


def _delete(fs: Any, path: str) -> None:
    with suppress(OSError):
        fs.delete_file(path)


def delete_dir(fs: Any, path: str) -> None:
    if exists(fs, path):
        fs.delete_dir(path)
