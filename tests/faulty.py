"""The real command line with a fault injected into its worker processes (tests only).

`python -m tests.faulty run ...` is `cleaner run ...`, except that a worker process given
a document containing the text in CLEANER_TEST_CRASH_ON dies on the spot (`os._exit`),
as it would from a segfault in a C extension or the OOM killer. With
CLEANER_TEST_CRASH_ONCE=<path> it dies only the first time (it creates <path>), so the
retry succeeds. With CLEANER_TEST_HANG_ON, a worker given a document containing that
text sleeps for an hour instead, as a worker stuck in an endless loop would. With
CLEANER_TEST_SPIN_ON, HTML extraction of a page containing that text spins forever in a
Python loop (a pathological page). With CLEANER_TEST_STUCK_IN_C_ON, cleaning such a
document blocks the timer signal first, as a C call that never returns to Python does.
The main process never crashes or hangs: only workers do.

Nothing in `cleaner` knows about this module; it patches Pipeline.apply and
trafilatura.extract before the CLI starts, and forked workers inherit the patch. Ray
actors are not forked from the CLI: there `cleaner` imports the module named by
CLEANER_TEST_HOOK (the Ray engine passes CLEANER_* variables on to its workers).
"""

from __future__ import annotations

import os
import signal
import time

import trafilatura

from cleaner.engine import Pipeline

MAIN_PID = os.getpid()


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


def _marked(variable: str, text: str) -> bool:
    marker = os.environ.get(variable)
    return bool(marker) and marker in text and os.getpid() != MAIN_PID


def install() -> None:
    """Patch the pipeline and the extractor (once per process)."""
    if getattr(Pipeline.apply, "faulty", False):
        return
    apply_, extract_ = Pipeline.apply, trafilatura.extract

    def apply(self, text):
        if _should_crash(text):
            os._exit(70)
        if _marked("CLEANER_TEST_HANG_ON", text):
            time.sleep(3600)
        if _marked("CLEANER_TEST_STUCK_IN_C_ON", text):
            signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})
            time.sleep(3600)
        return apply_(self, text)

    def extract(filecontent, *args, **kwargs):
        page = filecontent if isinstance(filecontent, str) else getattr(filecontent, "text_content", lambda: "")()
        if _marked("CLEANER_TEST_SPIN_ON", page):
            while True:
                pass
        return extract_(filecontent, *args, **kwargs)

    apply.faulty = True  # type: ignore[attr-defined]
    Pipeline.apply = apply
    trafilatura.extract = extract


install()

if __name__ == "__main__":
    from cleaner.cli import main

    main()
