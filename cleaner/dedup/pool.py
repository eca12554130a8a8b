"""The scan of many tasks in worker processes, results in input order.

A window of at most 4 tasks per worker is in flight, so memory stays flat. Unlike
`cleaner run`'s pool there is no crash narrowing: scanning runs no user patterns, and a
worker that dies stops the run (its finished inputs are kept for `--resume`).
"""

from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor

from cleaner.dedup.options import DedupOptions
from cleaner.dedup.scan import ScanBatch, scan_task
from cleaner.runner.tasks import Task

WINDOW_PER_WORKER = 4


def scan_results(tasks: Iterable[Task], options: DedupOptions, workers: int) -> Iterator[ScanBatch]:
    if workers <= 1:
        for task in tasks:
            yield scan_task(task, options)
        return
    executor = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"))
    try:
        window: deque[Future[ScanBatch]] = deque()
        for task in tasks:
            window.append(executor.submit(scan_task, task, options))
            while len(window) >= workers * WINDOW_PER_WORKER:
                yield window.popleft().result()
        while window:
            yield window.popleft().result()
    finally:
        executor.shutdown(wait=True, cancel_futures=True)
