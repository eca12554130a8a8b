"""A per-record deadline inside the worker: one stuck record costs itself, not its batch.

Each record (HTML extraction plus every rule) runs under a timer (`setitimer`, SIGALRM).
When it fires, the handler raises `RecordTimeout` in the worker's main thread, which the
worker turns into a quarantine entry for that record alone and goes on with the next
one. Python code in a loop, a `time.sleep` and the `regex` module (which checks for
signals while it matches) are all stopped this way, at no cost to a record that finishes
in time (arming a timer is one system call).

The handler names the stage the record was stuck in, read off the interrupted stack:
"extraction" (trafilatura, lxml), or the id of the rule that was running. Nothing in
the hot path records where it is.

A C call that never returns to Python (a tight loop in a C extension) cannot be
interrupted by a signal handler: for that case the process watchdog in `pool` kills
the worker once the batch has run `--task-timeout` seconds. Timers work only in the
main thread of a process; elsewhere `record_deadline` does nothing and the process
watchdog is the only guard.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

BUDGET_CHARS = 1_000_000  # a record gets its budget per million characters beyond the first


class RecordTimeout(BaseException):
    """A record ran past its budget; `stage` says where ("extraction" or "rule <id>").

    A BaseException, like KeyboardInterrupt, so that no library's `except Exception`
    (trafilatura has several) mistakes it for a failure of its own and swallows it.
    """

    def __init__(self, seconds: float, stage: str):
        self.seconds = seconds
        self.stage = stage
        super().__init__(f"record took over {seconds:g} s (--record-timeout) in {stage}; it was stopped and set aside")


def record_budget(seconds: float, size: int) -> float:
    """Seconds for a record of `size` characters (or bytes): `seconds` per started million beyond the first."""
    return seconds * max(1.0, size / BUDGET_CHARS)


def stage_of(frame: FrameType | None) -> str:
    """Where the interrupted code was: the innermost rule being run, else extraction, else cleaning."""
    extracting = False
    while frame is not None:
        code = frame.f_code
        if code.co_name == "_pass" and "step" in frame.f_locals:
            rule_id = getattr(frame.f_locals["step"], "rule_id", None)
            if rule_id:
                return f"rule {rule_id}"
        if code.co_name in ("extract_page", "extract_html"):
            extracting = True
        frame = frame.f_back
    return "extraction" if extracting else "cleaning"


_armed: list[float] = []  # the budget of the record now running (empty: none)


def _expired(signum: int, frame: FrameType | None) -> None:
    if not _armed:  # a late signal after the record finished: nothing to stop
        return
    seconds = _armed.pop()
    raise RecordTimeout(seconds, stage_of(frame))


def _usable() -> bool:
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


@contextmanager
def deadlines() -> Iterator[None]:
    """Install the timer's handler for a task (once, not once per record); off outside the main thread."""
    if not _usable():
        yield
        return
    previous = signal.signal(signal.SIGALRM, _expired)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@contextmanager
def record_deadline(seconds: float) -> Iterator[None]:
    """Raise RecordTimeout in this block after `seconds` (0: no limit), inside `deadlines()`."""
    if seconds <= 0 or signal.getsignal(signal.SIGALRM) is not _expired or not _usable():
        yield
        return
    _armed[:] = [seconds]
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        _armed.clear()
