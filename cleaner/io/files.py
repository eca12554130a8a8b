"""Walking input trees and writing files atomically.

An HTML page's output is text, so it is named `.txt`: `a/b.html.gz` becomes
`OUT/a/b.txt` (`output_name`). Walks never follow symlinked folders (no loops), read
only regular files, and skip hidden entries (so a run's own state folder and temporary
files are never read back as input).
"""

from __future__ import annotations

import errno
import os
import stat
import tempfile
from collections.abc import Iterable, Iterator
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


class UsageError(Exception):
    """The command line asks for something impossible (exit code 2)."""


def walk(root: Path, skip: Iterable[Path] = (), skipped: list[str] | None = None) -> Iterator[Path]:
    """Regular files under `root`, in sorted order.

    `skip` holds real paths never read: folders never entered (the output folder) and
    files never yielded (the run's own quarantine, stats and edit-log files). Entries
    that are not regular files (FIFOs, sockets, devices, broken symlinks, symlink loops)
    are left out, each described in `skipped` when given: reading a FIFO would block.
    """
    avoid = {os.path.realpath(p) for p in skip}
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        here = Path(dirpath)
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and os.path.realpath(here / d) not in avoid)
        for name in sorted(filenames):
            if name.startswith("."):
                continue
            path = here / name
            problem = _not_regular(path)
            if problem:
                if skipped is not None:
                    skipped.append(f"{path}: skipped: {problem}")
            elif os.path.realpath(path) not in avoid:
                yield path


def _not_regular(path: Path) -> str | None:
    """Why `path` is not a regular file to read, or None if it is one."""
    try:
        mode = os.stat(path).st_mode  # follows symlinks
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "symlink loop"
        if os.path.islink(path):
            return "broken symlink"
        return f"cannot stat: {exc.strerror or exc}"
    if stat.S_ISREG(mode):
        return None
    kinds = {stat.S_ISFIFO: "a FIFO", stat.S_ISSOCK: "a socket", stat.S_ISCHR: "a device", stat.S_ISBLK: "a device"}
    kind = next((k for test, k in kinds.items() if test(mode)), "a special file")
    return f"not a regular file ({kind})"


def _default_mode() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


FILE_MODE = _default_mode()


def temp_beside(target: Path) -> Path:
    """A new empty file next to `target`, named `.<name>.<random>.part`, with normal permissions."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    os.fchmod(fd, FILE_MODE)  # mkstemp makes 0600 files; outputs should look like any other file
    os.close(fd)
    return Path(tmp)


def write_atomic(target: Path, data: bytes) -> None:
    """Write under a temporary name in the same folder, then rename: no partial files."""
    tmp = temp_beside(target)
    fd = os.open(tmp, os.O_WRONLY)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
