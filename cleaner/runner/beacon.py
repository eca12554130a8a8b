"""Where a worker is: which record of its task, and whether extracting or cleaning it.

The watchdog in `pool` kills a worker whose batch has run `--task-timeout` seconds (a
record stuck in C code, past the reach of the per-record timer). Killing it loses
the process, not the knowledge of where it was: each worker writes its position into
a slot of an anonymous shared memory map, created by the parent before its workers are
forked, so after the kill the parent reads which record was stuck, quarantines that
one alone, and runs the rest of the batch again. A slot is one 64-bit integer per task
in flight: 0 before the first record, else `4 * (index + 1) + stage`.

Writing a slot is a `struct.pack_into` into memory (no system call), once per record.
"""

from __future__ import annotations

import mmap
import struct

SLOTS = 4096  # more than the tasks one pool ever has in flight at once
STAGES = ("cleaning", "extraction")
_FORMAT = struct.Struct("q")

_memory: mmap.mmap | None = None
_next = 0
_slot: int | None = None  # in a worker: the slot of the task it is running


def prepare() -> None:
    """Create the shared map in the parent, before the workers that write it are forked."""
    global _memory
    if _memory is None:
        _memory = mmap.mmap(-1, SLOTS * _FORMAT.size)


def take() -> int:
    """A slot for a task about to be submitted (round robin), cleared."""
    global _next
    prepare()
    slot, _next = _next, (_next + 1) % SLOTS
    _FORMAT.pack_into(_memory, slot * _FORMAT.size, 0)  # type: ignore[arg-type]
    return slot


def position(slot: int) -> tuple[int, str] | None:
    """(index of the record the task was on, its stage), or None if it had not started one."""
    assert _memory is not None
    value = _FORMAT.unpack_from(_memory, slot * _FORMAT.size)[0]
    if value <= 0:
        return None
    return value // 4 - 1, STAGES[value % 4 % len(STAGES)]


def enter(slot: int | None) -> None:
    """In a worker: the task now running reports to `slot` (None: nobody watches)."""
    global _slot
    _slot = slot if _memory is not None else None


def mark(index: int, extracting: bool = False) -> None:
    """In a worker: record `index` of the current task is being extracted or cleaned."""
    if _slot is not None:
        _FORMAT.pack_into(_memory, _slot * _FORMAT.size, 4 * (index + 1) + int(extracting))  # type: ignore[arg-type]
