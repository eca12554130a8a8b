"""The real command line with a fault injected into its worker processes (tests only).

`python -m tests.faulty run ...` is `cleaner run ...`, except that a worker process given
a document containing the text in CLEANER_TEST_CRASH_ON dies on the spot (`os._exit`),
as it would from a segfault in a C extension or the OOM killer. With
CLEANER_TEST_CRASH_ONCE=<path> it dies only the first time (it creates <path>), so the
retry succeeds. With CLEANER_TEST_HANG_ON, a worker given a document containing that
text sleeps for an hour instead, as a worker stuck in a C extension or an endless loop
would. The main process never crashes or hangs: only workers do. Nothing in `cleaner`
knows about this module; it patches Pipeline.apply before the CLI starts, and forked
workers inherit the patch.
"""

from __future__ import annotations

import os
import time

from cleaner.cli import main
from cleaner.engine import Pipeline

MAIN_PID = os.getpid()
_apply = Pipeline.apply


def _should_crash(text: str) -> bool:
    marker = os.environ.get("CLEANER_TEST_CRASH_ON")
    if not marker or marker not in text or os.getpid() == MAIN_PID:
        return False
    once = os.environ.get("CLEANER_TEST_CRASH_ONCE")
    if not once:
        return True
    try:
        os.close(os.open(once, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
    except FileExistsError:
        return False
    return True


def apply(self, text):
    if _should_crash(text):
        os._exit(70)
    hang = os.environ.get("CLEANER_TEST_HANG_ON")
    if hang and hang in text and os.getpid() != MAIN_PID:
        time.sleep(3600)
    return _apply(self, text)


Pipeline.apply = apply

if __name__ == "__main__":
    main()
