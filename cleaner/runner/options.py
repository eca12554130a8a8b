"""Everything a run is asked to do, in one picklable record."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class RunOptions:
    text_field: str = "text"
    html_field: str | None = None  # records carry HTML here; its extracted, cleaned text goes to text_field
    id_field: str = "id"
    stdin_format: str = "text"
    workers: int = os.cpu_count() or 1
    strict: bool = False
    drop_empty: bool = False
    resume: bool = False
    quiet: bool = False
    progress: bool = False
    log_edits: Path | None = None
    quarantine: Path | None = None
    stats_json: Path | None = None
    report: Path | None = None  # collect sample edits per rule for the HTML report
    task_timeout: float = 600.0  # seconds a batch may take in a worker before it is stopped (0: no limit)
    record_timeout: float = 60.0  # seconds one record may take (per million characters beyond; 0: no limit)

    def fingerprint_fields(self) -> dict[str, object]:
        """Options that change output bytes: a resumed run must use the same ones."""
        return {"text_field": self.text_field, "html_field": self.html_field, "id_field": self.id_field,
                "strict": self.strict, "drop_empty": self.drop_empty}  # fmt: skip
