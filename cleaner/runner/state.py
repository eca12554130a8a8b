"""Completion markers, so an interrupted run can resume (datatrove's model).

Each unit's output is written under a temporary name and renamed when complete; then
its marker (counts, plus quarantine and edit-log segments) is renamed into place. The
marker is the proof of completion: `--resume` skips units with a marker and redoes the
rest from scratch, so the final bytes equal an uninterrupted run's. The markers live in
`OUT/.cleaner-run/` while a run is unfinished and are removed when it completes.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
from pathlib import Path

from cleaner.io.files import write_atomic
from cleaner.runner.units import Unit
from cleaner.stats import RunStats

STATE_DIR = ".cleaner-run"


class ResumeError(Exception):
    pass


class RunState:
    def __init__(self, out: Path | None, fingerprint: str, resume: bool):
        self.temporary = out is None
        self.dir = Path(tempfile.mkdtemp(prefix="cleaner-run-")) if out is None else out / STATE_DIR
        stamp = self.dir / "fingerprint"
        if resume and not self.temporary and stamp.exists():
            if stamp.read_text(encoding="utf-8") != fingerprint:
                raise ResumeError(
                    f"{self.dir} was made with other rules or options; rerun without --resume to start over"
                )
        elif not self.temporary:
            shutil.rmtree(self.dir, ignore_errors=True)
        self.dir.mkdir(parents=True, exist_ok=True)
        write_atomic(stamp, fingerprint.encode("utf-8"))

    def key(self, unit: Unit) -> str:
        ident = str(unit.target) if unit.target is not None else f"stdout:{unit.index}"
        return hashlib.sha1(ident.encode("utf-8")).hexdigest()[:20]

    def segment(self, unit: Unit, kind: str) -> Path:
        return self.dir / f"{self.key(unit)}.{kind}.jsonl"

    def marker(self, unit: Unit) -> Path:
        return self.dir / f"{self.key(unit)}.done.json"

    def done_stats(self, unit: Unit) -> RunStats | None:
        """The counts of a completed unit, or None if it must be (re)done."""
        marker = self.marker(unit)
        if not marker.exists():
            return None
        data = json.loads(marker.read_text(encoding="utf-8"))
        if data["wrote_target"] and (unit.target is None or not unit.target.exists()):
            return None
        return RunStats.from_dict(data["stats"])

    def commit(self, unit: Unit, stats: RunStats, wrote_target: bool) -> None:
        payload = {"source": unit.name, "target": str(unit.target), "wrote_target": wrote_target,
                   "stats": stats.to_dict()}  # fmt: skip
        write_atomic(self.marker(unit), json.dumps(payload).encode("utf-8"))

    def cleanup(self, complete: bool) -> None:
        if self.temporary or complete:
            shutil.rmtree(self.dir, ignore_errors=True)


def fingerprint(rule_sources: list[str], fields: dict[str, object]) -> str:
    h = hashlib.sha256()
    for source in sorted(set(rule_sources)):
        h.update(source.encode("utf-8"))
        h.update(Path(source).read_bytes())
    h.update(json.dumps(fields, sort_keys=True).encode("utf-8"))
    return h.hexdigest()
