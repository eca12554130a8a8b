"""Ordered parallel map over tasks, with a bounded window and crash recovery.

Results come back in submission order, so output bytes are identical for any number
of workers. At most `workers * WINDOW_PER_WORKER` tasks are in flight, which keeps
memory flat. If a worker process dies, the pool is rebuilt and each unfinished task
is retried once on its own. A batch that kills its worker again is cut in halves, and
the halves that crash are cut again, down to the record that crashes the worker: that
record is quarantined, every other record of the batch is cleaned and written.

A worker that stops making progress (stuck in Python code, where the per-rule regex
budget cannot reach) is caught by a watchdog: a batch that has not come back
`task_timeout` seconds after it reached the head of the window is quarantined whole,
its worker killed, and the other batches in flight retried alone. A stuck batch is not
narrowed down: every step would wait the full timeout again.
"""

from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool

from cleaner.runner.tasks import Task, split_task
from cleaner.runner.work import TaskResult, crashed_result, merged_result, run_task

CRASHED_DOCUMENT = "worker process crashed twice while cleaning this document"
CRASHED_RECORD = "worker process crashed while cleaning this record (its batch crashed twice, then was cut down to it)"


def stuck_reason(seconds: float) -> str:
    return f"worker did not finish this batch within {seconds:g} s (--task-timeout); it was stopped"


WINDOW_PER_WORKER = 4


def ordered_results(
    tasks: Iterable[Task],
    workers: int,
    on_crash: Callable[[Task], None] | None = None,
    task_timeout: float = 0,
) -> Iterator[TaskResult]:
    """Results of `tasks` in order; `task_timeout` seconds (0: none) for each batch to come back."""
    if workers <= 1:
        for task in tasks:
            yield run_task(task)
        return
    pool = _Pool(workers, on_crash, task_timeout)
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


class _Pool:
    def __init__(self, workers: int, on_crash: Callable[[Task], None] | None, task_timeout: float = 0):
        self.workers = workers
        self.on_crash = on_crash
        self.task_timeout = task_timeout or None
        # fork: workers inherit the compiled pipeline instead of recompiling it.
        self.context = multiprocessing.get_context("fork")
        self.executor = ProcessPoolExecutor(workers, mp_context=self.context)

    def submit(self, task: Task, window: deque[tuple[Task, Future[TaskResult]]]) -> Future[TaskResult]:
        try:
            return self.executor.submit(run_task, task)
        except BrokenProcessPool:  # a worker died before this task could even be queued
            self._recover(window)
            return self.executor.submit(run_task, task)

    def collect(self, window: deque[tuple[Task, Future[TaskResult]]]) -> TaskResult:
        future = window[0][1]
        try:
            result = future.result(timeout=self.task_timeout)
        except BrokenProcessPool:
            self._recover(window)
            result = window[0][1].result()
        except FutureTimeout:
            task = window[0][0]
            _terminate(self.executor)  # the stuck worker, and with it the batches beside it
            window[0] = (task, _done(crashed_result(task, stuck_reason(self.task_timeout or 0))))
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
        """Run `task` in a worker of its own; if that worker dies, run its halves the same way."""
        try:
            with ProcessPoolExecutor(1, mp_context=self.context) as solo:
                future = solo.submit(run_task, task)
                try:
                    return future.result(timeout=self.task_timeout)
                except FutureTimeout:
                    _terminate(solo)
                    return crashed_result(task, stuck_reason(self.task_timeout or 0))
        except BrokenProcessPool:
            halves = split_task(task)
            if halves is None:
                return crashed_result(task, reason)
            return merged_result(task, [self._run_narrowing(half, CRASHED_RECORD) for half in halves])

    def stop(self) -> None:
        """Drop pending tasks and end running ones, rather than finish batches nobody will write."""
        _terminate(self.executor)
        self.executor.shutdown(wait=True, cancel_futures=True)

    def shutdown(self) -> None:
        self.executor.shutdown(wait=True, cancel_futures=True)


def _terminate(executor: ProcessPoolExecutor) -> None:
    """Kill an executor's worker processes (their futures then fail with BrokenProcessPool)."""
    processes = list((getattr(executor, "_processes", None) or {}).values())
    for process in processes:
        process.terminate()
    for process in processes:
        process.join()


def _done(result: TaskResult) -> Future[TaskResult]:
    future: Future[TaskResult] = Future()
    future.set_result(result)
    return future
