"""Ordered parallel map over tasks in worker processes, with a bounded window and crash recovery.

Every engine cleans in worker processes this module watches: the local engine with
any number of workers (one included), and each Ray actor, which runs its tasks through
a pool of one (`TaskRunner`). So a crash or a stuck worker is handled the same way
everywhere, and the main process (or the actor) always survives to write and count.

Results come back in submission order, so output bytes are identical for any number
of workers. At most `workers * WINDOW_PER_WORKER` tasks are in flight, which keeps
memory flat. If a worker process dies, the pool is rebuilt and each unfinished task
is retried once on its own. A batch that kills its worker again is cut in halves, and
the halves that crash are cut again, down to the record that crashes the worker: that
record is quarantined, every other record of the batch is cleaned and written.

A record that runs past its budget is stopped inside the worker (`deadline`) and
quarantined alone. A worker stuck where that timer cannot reach (a C call that never
returns) is caught by a watchdog: a batch that has not come back `task_timeout` seconds
after it reached the head of the window has its worker killed; the record the worker
was on (read from its `beacon` slot) is quarantined alone, the records before and after
it are run again in a fresh worker, and the other batches in flight are retried alone.
"""

from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool

from cleaner.runner import beacon
from cleaner.runner.tasks import Task, split_at, split_task
from cleaner.runner.work import TaskResult, crashed_result, merged_result, run_task, warm_up

CRASHED_DOCUMENT = "worker process crashed twice while cleaning this document"
CRASHED_RECORD = "worker process crashed while cleaning this record (its batch crashed twice, then was cut down to it)"


def stuck_reason(seconds: float) -> str:
    return f"worker did not finish this batch within {seconds:g} s (--task-timeout); it was stopped"


def stuck_record_reason(seconds: float, stage: str) -> str:
    return (
        f"worker was stopped after {seconds:g} s (--task-timeout) stuck on this record, in {stage}, "
        "where the --record-timeout timer could not interrupt it"
    )


def run_watched(task: Task, slot: int) -> TaskResult:
    """`run_task` in a worker process, reporting its position to the parent through `slot`."""
    beacon.enter(slot)
    try:
        return run_task(task)
    finally:
        beacon.enter(None)


WINDOW_PER_WORKER = 4


def ordered_results(
    tasks: Iterable[Task],
    workers: int,
    on_crash: Callable[[Task], None] | None = None,
    task_timeout: float = 0,
) -> Iterator[TaskResult]:
    """Results of `tasks` in order; `task_timeout` seconds (0: none) for each batch to come back."""
    pool = _Pool(max(1, workers), on_crash, task_timeout)
    try:
        window: deque[tuple[Task, Future[TaskResult]]] = deque()
        for task in tasks:
            window.append((task, pool.submit(task, window)))
            while len(window) >= workers * WINDOW_PER_WORKER:
                yield pool.collect(window)
        while window:
            yield pool.collect(window)
    except BaseException:  # the consumer stopped (a failed write, Ctrl-C): stop the workers now
        pool.stop()
        raise
    finally:
        pool.shutdown()


class TaskRunner:
    """One task at a time in a watched worker process (a Ray actor's guard): crashes narrowed, stuck ones stopped."""

    def __init__(self, on_crash: Callable[[Task], None] | None = None, task_timeout: float = 0):
        self.pool = _Pool(1, on_crash, task_timeout)

    def run(self, task: Task) -> TaskResult:
        window: deque[tuple[Task, Future[TaskResult]]] = deque()
        window.append((task, self.pool.submit(task, window)))
        try:
            return self.pool.collect(window)
        except BaseException:
            self.pool.stop()
            raise

    def close(self) -> None:
        self.pool.shutdown()


class _Pool:
    def __init__(self, workers: int, on_crash: Callable[[Task], None] | None, task_timeout: float = 0):
        self.workers = workers
        self.on_crash = on_crash
        self.task_timeout = task_timeout or None
        # fork: workers inherit the compiled pipeline instead of recompiling it.
        self.context = multiprocessing.get_context("fork")
        beacon.prepare()  # before any worker is forked: they share it
        warm_up()
        self.executor = ProcessPoolExecutor(workers, mp_context=self.context)
        self.slots: dict[int, int] = {}  # id of a future -> the beacon slot its task reports to

    def _submit(self, executor: ProcessPoolExecutor, task: Task) -> Future[TaskResult]:
        slot = beacon.take()
        future = executor.submit(run_watched, task, slot)
        self.slots[id(future)] = slot
        future.add_done_callback(lambda f: self.slots.pop(id(f), None))
        return future

    def _where(self, future: Future[TaskResult]) -> tuple[int, str] | None:
        """The record (and stage) the task of `future` was on, from its beacon slot."""
        slot = self.slots.get(id(future))  # gone only if it finished just now: then nothing points at a record
        return beacon.position(slot) if slot is not None else None

    def submit(self, task: Task, window: deque[tuple[Task, Future[TaskResult]]]) -> Future[TaskResult]:
        try:
            return self._submit(self.executor, task)
        except BrokenProcessPool:  # a worker died before this task could even be queued
            self._recover(window)
            return self._submit(self.executor, task)

    def collect(self, window: deque[tuple[Task, Future[TaskResult]]]) -> TaskResult:
        future = window[0][1]
        try:
            result = future.result(timeout=self.task_timeout)
        except BrokenProcessPool:
            self._recover(window)
            result = window[0][1].result()
        except FutureTimeout:
            task = window[0][0]
            where = self._where(future)
            _terminate(self.executor)  # the stuck worker, and with it the batches beside it
            window[0] = (task, _done(self._after_stuck(task, where)))
            self._recover(window)
            result = window[0][1].result()
        window.popleft()
        return result

    def _recover(self, window: deque[tuple[Task, Future[TaskResult]]]) -> None:
        """Retry every unfinished task alone; narrow down the ones that crash again."""
        self.executor.shutdown(wait=False, cancel_futures=True)
        for i, (task, future) in enumerate(window):
            if future.done() and not future.cancelled() and future.exception() is None:
                continue
            if self.on_crash:
                self.on_crash(task)
            window[i] = (task, self._retry_alone(task))
        self.executor = ProcessPoolExecutor(self.workers, mp_context=self.context)

    def _retry_alone(self, task: Task) -> Future[TaskResult]:
        return _done(self._run_narrowing(task, CRASHED_DOCUMENT))

    def _run_narrowing(self, task: Task, reason: str) -> TaskResult:
        """Run `task` in a worker of its own; if that worker dies, run its halves the same way;
        if it gets stuck, quarantine the record it is stuck on and run the others again."""
        try:
            with ProcessPoolExecutor(1, mp_context=self.context) as solo:
                future = self._submit(solo, task)
                try:
                    return future.result(timeout=self.task_timeout)
                except FutureTimeout:
                    where = self._where(future)
                    _terminate(solo)
        except BrokenProcessPool:
            halves = split_task(task)
            if halves is None:
                return crashed_result(task, reason)
            return merged_result(task, [self._run_narrowing(half, CRASHED_RECORD) for half in halves])
        return self._after_stuck(task, where)

    def _after_stuck(self, task: Task, where: tuple[int, str] | None) -> TaskResult:
        """The result of a task whose worker was killed on record `where`: that record quarantined
        alone, the records before and after it run again (each side watched the same way)."""
        seconds = self.task_timeout or 0
        if where is None:  # killed before its first record: nothing points at one
            return crashed_result(task, stuck_reason(seconds))
        index, stage = where
        if task.kind not in ("jsonl", "parquet"):
            return crashed_result(task, stuck_record_reason(seconds, stage))
        before, stuck, after = split_at(task, index)
        parts = [self._run_narrowing(before, CRASHED_RECORD)] if before is not None else []
        parts.append(crashed_result(stuck, stuck_record_reason(seconds, stage)))
        if after is not None:
            parts.append(self._run_narrowing(after, CRASHED_RECORD))
        return merged_result(task, parts)

    def stop(self) -> None:
        """Drop pending tasks and end running ones, rather than finish batches nobody will write."""
        _terminate(self.executor)
        self.executor.shutdown(wait=True, cancel_futures=True)

    def shutdown(self) -> None:
        self.executor.shutdown(wait=True, cancel_futures=True)


def _terminate(executor: ProcessPoolExecutor) -> None:
    """Kill an executor's worker processes (their futures then fail with BrokenProcessPool).

    SIGKILL, not SIGTERM: a worker forked from a process with a SIGTERM handler of its own
    (a Ray actor) inherits that handler, and a worker stuck in C never runs it."""
    processes = list((getattr(executor, "_processes", None) or {}).values())
    for process in processes:
        process.kill()
    for process in processes:
        process.join()


def _done(result: TaskResult) -> Future[TaskResult]:
    future: Future[TaskResult] = Future()
    future.set_result(result)
    return future
