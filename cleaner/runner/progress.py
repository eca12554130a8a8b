"""A progress bar on stderr (documents, MB/s, ETA), only when stderr is a terminal."""

from __future__ import annotations

import time
from typing import Any


class Progress:
    def __init__(self, enabled: bool, total_bytes: int | None):
        self.enabled = enabled
        self.bar: Any = None
        self.docs = 0
        self.bytes = 0
        self.last = 0.0
        if not enabled:
            return
        from rich.console import Console
        from rich.progress import BarColumn, TextColumn, TimeRemainingColumn
        from rich.progress import Progress as RichProgress

        self.bar = RichProgress(
            TextColumn("[bold]cleaning"),
            BarColumn(),
            TextColumn("{task.fields[docs]:>10,} docs"),
            TextColumn("{task.fields[rate]:>7.1f} MB/s"),
            TimeRemainingColumn(),
            console=Console(stderr=True),
            auto_refresh=False,  # no refresh thread: worker processes are forked
            transient=True,
        )
        self.task = self.bar.add_task("clean", total=total_bytes, docs=0, rate=0.0)
        self.start = time.monotonic()
        self.bar.start()

    def advance(self, docs: int, nbytes: int) -> None:
        if not self.enabled:
            return
        self.docs += docs
        self.bytes += nbytes
        now = time.monotonic()
        if now - self.last < 0.1:
            return
        self.last = now
        rate = self.bytes / max(now - self.start, 1e-9) / 1e6
        self.bar.update(self.task, completed=self.bytes, docs=self.docs, rate=rate)
        self.bar.refresh()

    def close(self) -> None:
        if self.enabled:
            self.bar.stop()
