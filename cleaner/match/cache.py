"""Compiled match plans on disk: compiling the scanner's database takes seconds, loading it milliseconds.

Entries live in `$CLEANER_CACHE_DIR`, else `$XDG_CACHE_HOME/cleaner`, else
`~/.cache/cleaner`, one file per plan, named by a hash of everything the compiled form
depends on (the patterns and their flags, the translation's version, the versions of
the scanner, of `regex` and of Python's Unicode data). `CLEANER_CACHE_DIR=off` turns
the cache off. The cache only saves time: an entry that cannot be read, or a directory
that cannot be written, means a rebuild, never a failed run.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any


def cache_dir() -> Path | None:
    configured = os.environ.get("CLEANER_CACHE_DIR", "").strip()
    if configured.lower() in ("off", "0", "none", "false"):
        return None
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME", "").strip()
    return (Path(base) if base else Path.home() / ".cache") / "cleaner"


def key(parts: Any) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()[:32]


def load(name: str) -> tuple[dict[str, Any], bytes] | None:
    """(metadata, payload) stored under `name`, or None when absent or unreadable."""
    folder = cache_dir()
    if folder is None:
        return None
    try:
        data = (folder / f"plan-{name}.bin").read_bytes()
        header, _, payload = data.partition(b"\n")
        meta = json.loads(header)
        if not isinstance(meta, dict) or meta.get("length") != len(payload):
            return None
        return meta, payload
    except (OSError, ValueError):
        return None


def store(name: str, meta: dict[str, Any], payload: bytes) -> None:
    """Write an entry atomically (a reader never sees half of one); errors are ignored."""
    folder = cache_dir()
    if folder is None:
        return
    try:
        folder.mkdir(parents=True, exist_ok=True)
        header = json.dumps({**meta, "length": len(payload)}).encode()
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".plan-", suffix=".part")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(header + b"\n" + payload)
            os.replace(tmp, folder / f"plan-{name}.bin")
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError:
        pass
